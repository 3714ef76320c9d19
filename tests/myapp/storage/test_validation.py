"""What is wrong with a DSN: the accepted forms pass, every malformed one is named, secret kept."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storages.backends.azure_storage import AzureStorage
from storages.backends.s3 import S3Storage

from myapp.storage.backends import open_storage
from myapp.storage.dsn import local_media
from myapp.storage.validation import problem
from tests.helpers.dsn_strategies import broken_dsns, dsns
from tests.helpers.dsns import MALFORMED, SECRET, VALID


@pytest.mark.parametrize("value", VALID)
def test_accepted_forms_have_no_problem(value):
    assert problem(value) is None


@pytest.mark.parametrize(("value", "expected"), MALFORMED)
def test_a_malformed_dsn_is_named_without_its_secret(value, expected):
    reason = problem(value)
    assert reason is not None
    assert expected in reason
    assert SECRET not in reason


# Every DSN of each scheme's grammar, and the same broken (tests/helpers/dsn_strategies.py)

GRAMMAR = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Each accepted DSN builds a storage and its boto3 or Azure client, a tenth of a second or more.
OPENED = settings(GRAMMAR, max_examples=60)


def forms(secret):
    return {secret, quote(secret, safe="")} - {""}


def usable(dsn):
    """Open the storage ``dsn`` describes and make what its first use makes: a link, a client."""
    storage = open_storage(dsn)
    assert isinstance(storage.url("a b.txt"), str)
    if isinstance(storage, S3Storage):
        assert storage.connection.meta.client.meta.endpoint_url
    elif isinstance(storage, AzureStorage):
        assert storage.client.url
    else:
        assert storage.path("a.txt").startswith("/")


@OPENED
@given(dsns())
def test_every_dsn_of_the_grammars_is_accepted_and_opens_a_storage(drawn):
    dsn, _ = drawn
    assert problem(dsn) is None
    usable(dsn)


@GRAMMAR
@given(broken_dsns())
def test_a_broken_dsn_is_named_without_its_secret_or_still_opens_a_storage(drawn):
    dsn, secret = drawn
    reason = problem(dsn)
    if reason is None:
        usable(dsn)
    else:
        assert not {form for form in forms(secret) if form in reason}


@GRAMMAR
@given(st.text())
def test_any_text_gets_an_answer_and_leaves_the_settings_importable(text):
    assert problem(text) is None or isinstance(problem(text), str)
    _, url = local_media(text)
    assert url == "" or url.endswith("/")
