"""Logs go to stdout, one line per event, as the container's log collector reads them."""

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
