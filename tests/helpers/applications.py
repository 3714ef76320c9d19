"""What any server of the project's application gets from it, WSGI or ASGI alike."""

import json


def assert_serves_the_project(get):
    """Check the project's answers through ``get(path, host) -> (status, headers, body)``, whose
    headers have lower-case names: /healthz by address, the login page with its headers, and a
    host the site does not serve refused."""
    status, headers, body = get("/healthz", "10.0.0.7")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok", "storage": "ok"}
    assert headers["content-type"] == "application/json"

    status, headers, body = get("/admin/login/", "testserver")
    assert status == 200
    assert b'name="password"' in body
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"

    assert get("/admin/login/", "elsewhere.example.com")[0] == 400
