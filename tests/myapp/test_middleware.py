"""Only GET and HEAD /healthz skip the Host check and the HTTPS redirect; everything else keeps
both, as production has them."""

import pytest

PROBE_HOST = "10.0.0.7:80"  # a container's address, as a probe uses it


@pytest.fixture(autouse=True)
def production_security(settings):
    settings.ALLOWED_HOSTS = ["app.example.com"]
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "head"])
def test_healthz_answers_a_probe_by_address_over_http(client, method):
    response = getattr(client, method)("/healthz", HTTP_HOST=PROBE_HOST)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/admin/login/"), ("get", "/healthz/"), ("get", "/healthz/x"), ("post", "/healthz")],
)
def test_any_other_request_from_an_unknown_host_is_refused(client, method, path):
    assert getattr(client, method)(path, HTTP_HOST=PROBE_HOST).status_code == 400


def test_any_other_request_over_http_is_redirected_to_https(client):
    response = client.get("/admin/login/", HTTP_HOST="app.example.com")
    assert (response.status_code, response.url) == (301, "https://app.example.com/admin/login/")
