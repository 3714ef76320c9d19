"""GET /healthz as a monitor or a container's healthcheck sees it."""

import threading

import pytest
import requests

from myapp import views
from tests.helpers import s3
from tests.helpers.ports import free_port
from tests.helpers.project import use_storage_dsn

OK = {"status": "ok", "database": "ok", "storage": "ok"}


@pytest.fixture(autouse=True)
def fresh_storage_check(monkeypatch):
    """Each test checks its own storage, not the result an earlier test left for a few seconds."""
    fresh = views.Recent(views.storage_status, views.STORAGE_CHECK_SECONDS)
    monkeypatch.setattr(views, "recent_storage_status", fresh)


@pytest.mark.django_db
def test_ok_with_a_folder(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == OK
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_ok_with_a_bucket(client, s3_bucket):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, OK)


@pytest.mark.django_db
def test_503_naming_the_storage_when_its_server_is_down(client, settings, caplog, down_s3_dsn):
    use_storage_dsn(settings, down_s3_dsn)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "ok", "storage": "failing"}
    # Why goes to the log, for whoever runs the site; the answer says no more than which part.
    assert "the endpoint cannot be reached" in caplog.text
    assert "cannot be reached" not in response.content.decode()
    assert s3.SECRET not in caplog.text


@pytest.mark.django_db
def test_503_when_the_bucket_is_gone(client, s3_bucket):
    s3_bucket.client.delete_bucket(Bucket=s3_bucket.name)
    response = client.get("/healthz")
    assert (response.status_code, response.json()["storage"]) == (503, "failing")


@pytest.mark.django_db
def test_the_storage_is_asked_again_only_after_a_few_seconds(client, settings):
    server = s3.MotoServer(free_port())
    try:
        server.client().create_bucket(Bucket="media")
        use_storage_dsn(
            settings, f"s3+http://{s3.KEY}:x@{server.endpoint.removeprefix('http://')}/media"
        )
        assert client.get("/healthz").status_code == 200
    finally:
        server.stop()
    assert client.get("/healthz").status_code == 200  # the result of a moment ago

    views.recent_storage_status.expires = 0  # the few seconds have passed
    assert client.get("/healthz").status_code == 503


def test_while_one_request_checks_the_others_get_the_previous_result():
    answers = iter(["ok", "failing"])
    checking, may_finish = threading.Event(), threading.Event()

    def check():
        result = next(answers)
        if result == "failing":
            checking.set()
            may_finish.wait(10)
        return result

    recent = views.Recent(check, seconds=10)
    assert recent() == "ok"
    recent.expires = 0
    slow = threading.Thread(target=recent)
    slow.start()
    assert checking.wait(10)
    assert recent() == "ok"  # at once, while the other request waits for the storage
    may_finish.set()
    slow.join(10)
    assert recent() == "failing"


def test_a_production_server_answers_probes_by_address_over_http(gunicorn, s3_bucket):
    """As docker compose's healthcheck or a platform's probe asks: by the container's address,
    which is not in ALLOWED_HOSTS, over plain HTTP, which production redirects to HTTPS. The
    database is down (nothing listens on its port): /healthz says which part fails."""
    server = gunicorn(
        DATABASE_URL=f"postgres://app:pw@127.0.0.1:{free_port()}/app",
        DEFAULT_STORAGE_DSN=s3_bucket.dsn,
        DOMAIN="app.example.com",
    )
    probe = {"Host": "10.0.0.7"}

    response = requests.get(
        f"{server.url}/healthz", headers=probe, allow_redirects=False, timeout=10
    )
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "failing", "storage": "ok"}
    assert "the database is failing" in server.log.read_text()

    # Every other path still refuses that host, and sends the real host to HTTPS.
    response = requests.get(
        f"{server.url}/admin/", headers=probe, allow_redirects=False, timeout=10
    )
    assert response.status_code == 400
    response = requests.get(
        f"{server.url}/admin/",
        headers={"Host": "app.example.com"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 301
    assert response.headers["Location"] == "https://app.example.com/admin/"


@pytest.mark.django_db
def test_local_media_are_sandboxed(client, media_dir, debug_urls):
    media_dir.mkdir()
    (media_dir / "page.txt").write_bytes(b"<script>alert(1)</script>")

    response = client.get("/media/page.txt")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
