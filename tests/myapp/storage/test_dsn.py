"""Reading DSNs: the accepted forms pass, every malformed one is named without its secret."""

import pytest

from myapp.storage import dsn
from tests.helpers.dsns import MALFORMED, SECRET, VALID


@pytest.mark.parametrize("value", VALID)
def test_accepted_forms_have_no_problem(value):
    assert dsn.problem(value) is None


@pytest.mark.parametrize(("value", "expected"), MALFORMED)
def test_a_malformed_dsn_is_named_without_its_secret(value, expected):
    reason = dsn.problem(value)
    assert reason is not None
    assert expected in reason
    assert SECRET not in reason


def test_local_media_of_a_file_dsn_is_its_decoded_folder_and_url():
    assert dsn.local_media("file:///a%20b/media/?url=%2Fmedia%2F") == ("/a b/media/", "/media/")


def test_cloud_dsns_have_no_local_media():
    assert dsn.local_media(VALID[2]) == ("", "")


@pytest.mark.parametrize("value", [v for v in VALID if SECRET in v])
def test_redact_hides_the_secret_and_keeps_the_rest(value):
    redacted = dsn.redact(value, value)
    assert SECRET not in redacted
    assert redacted == value.replace(SECRET, "***")
