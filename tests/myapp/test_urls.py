"""The site's URLs (myapp/urls.py): the admin, and local media at MEDIA_URL, only in a DEBUG run
with a file:// DSN. The URLconf is built once, at start-up, from the settings of that moment:
each test builds it again from its own."""

import importlib

import pytest
from django.urls import clear_url_caches

import myapp.urls
from tests.helpers.project import use_storage_dsn


@pytest.fixture
def start_up():
    """Return ``start_up()``, which builds the URLconf from the settings as they are now; the
    URLconf of before the test is put back afterwards."""
    before = myapp.urls.urlpatterns

    def build():
        importlib.reload(myapp.urls)
        clear_url_caches()

    yield build
    myapp.urls.urlpatterns = before
    clear_url_caches()


def served(client, path):
    """GET ``path``; return its status and the bytes served, the file closed."""
    response = client.get(path)
    try:
        content = b"".join(response.streaming_content) if response.streaming else b""
    finally:
        response.close()
    return response.status_code, content


@pytest.fixture
def report(media_dir):
    """A file in the test's media folder: its name and its bytes."""
    media_dir.mkdir()
    (media_dir / "report.pdf").write_bytes(b"%PDF-1.4 a report")
    return "report.pdf", b"%PDF-1.4 a report"


@pytest.mark.django_db
def test_a_debug_run_serves_local_media_at_media_url(client, settings, start_up, report):
    settings.DEBUG = True
    start_up()

    assert served(client, f"/media/{report[0]}") == (200, report[1])


@pytest.mark.django_db
def test_media_url_is_the_one_the_dsn_names(client, settings, start_up, media_dir, report):
    settings.DEBUG = True
    use_storage_dsn(settings, f"file://{media_dir}/?url=%2Fuploads%2F")
    start_up()

    assert served(client, f"/uploads/{report[0]}") == (200, report[1])
    assert served(client, f"/media/{report[0]}")[0] == 404


@pytest.mark.django_db
def test_media_are_not_served_without_debug(client, settings, start_up, report):
    settings.DEBUG = False
    start_up()

    assert served(client, f"/media/{report[0]}")[0] == 404


@pytest.mark.django_db
def test_a_debug_run_with_cloud_storage_serves_no_local_file(
    client, settings, start_up, s3_bucket, report, tmp_path, monkeypatch
):
    """Cloud storage serves its own files: MEDIA_ROOT and MEDIA_URL are empty, and no URL of the
    site serves a local folder, the working directory least of all."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "settings.py").write_text("SECRET_KEY = 'not for the web'\n")
    settings.DEBUG = True
    start_up()

    assert served(client, "/settings.py")[0] == 404
    assert served(client, f"/media/{report[0]}")[0] == 404
    assert client.get("/admin/login/").status_code == 200


def test_the_admin_is_at_admin(client, start_up):
    start_up()
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url == "/admin/login/?next=/admin/"
