"""Reading DSNs: the local media folder and URL they give, and their secret, redacted."""

import pytest

from myapp.storage import dsn
from tests.helpers.dsns import SECRET, VALID


def test_local_media_of_a_file_dsn_is_its_decoded_folder_and_url():
    assert dsn.local_media("file:///a%20b/media/?url=%2Fmedia%2F") == ("/a b/media/", "/media/")


def test_cloud_dsns_have_no_local_media():
    assert dsn.local_media(VALID[2]) == ("", "")


@pytest.mark.parametrize("value", [v for v in VALID if SECRET in v])
def test_redact_hides_the_secret_and_keeps_the_rest(value):
    redacted = dsn.redact(value, value)
    assert SECRET not in redacted
    assert redacted == value.replace(SECRET, "***")
