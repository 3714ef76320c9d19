"""Logs go to stdout, one line per event, as the container's log collector reads them; error
pages show no password."""

import sys

from django.views.debug import technical_500_response

from tests.helpers.project import manage

LOG = """
import logging
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("django.request").exception("Internal Server Error: /admin/")
logging.getLogger("uploader").warning("a name with a line break:\\nFAKE ERROR forged line")
"""


def test_each_event_is_one_line_on_stdout_with_its_traceback():
    # Production: DEBUG off, where Django's default would mail errors to nobody.
    result = manage("shell", "--no-imports", "-c", LOG, DJANGO_DEBUG="False")

    assert result.returncode == 0, result.stderr
    error, warning = result.stdout.splitlines()
    assert " ERROR django.request: Internal Server Error: /admin/\\nTraceback (most recent" in error
    assert error.endswith("ZeroDivisionError: division by zero")
    assert warning.endswith(" WARNING uploader: a name with a line break:\\nFAKE ERROR forged line")
    assert result.stderr == ""


# DEBUG's error page: no password of a URL setting, of the environment or of a frame's variable

STORAGE_DSN = "s3+https://KEY:st0rage%2Fsecret@minio.example.com/media"
DATABASE_URL = "postgres://app:db-passw0rd@db.example.com:5432/app"


def error_page(rf, settings, monkeypatch):
    settings.DEFAULT_STORAGE_DSN = STORAGE_DSN
    settings.DATABASE_URL = DATABASE_URL
    monkeypatch.setenv("DEFAULT_STORAGE_DSN", STORAGE_DSN)
    request = rf.get("/admin/", DEFAULT_STORAGE_DSN=STORAGE_DSN)

    def open_storage(dsn):
        raise OSError(f"cannot open {dsn}")

    try:
        open_storage(STORAGE_DSN)
    except OSError:
        # What Django answers in DEBUG, with the reporter and filter the settings name.
        return technical_500_response(request, *sys.exc_info()).content.decode()
    raise AssertionError("no error")


def test_the_debug_page_shows_no_password_of_any_url(rf, settings, monkeypatch):
    page = error_page(rf, settings, monkeypatch)

    assert "st0rage" not in page
    assert "db-passw0rd" not in page
    assert "s3+https://KEY:********************@minio.example.com/media" in page
    assert "postgres://app:********************@db.example.com:5432/app" in page
