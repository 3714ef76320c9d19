"""The check of UPLOAD_MAX_SIZE (uploader/checks.py): a wrong value is named, a good one passes.

That it runs at every start-up is tests/uploader/test_apps.py's."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.helpers.project import NO_ISSUES, check


def test_a_wrong_upload_max_size_fails_the_check(settings):
    settings.UPLOAD_MAX_SIZE = "500MB"
    with pytest.raises(
        SystemCheckError, match=r"\(uploader\.E001\) UPLOAD_MAX_SIZE is not usable: '500MB'"
    ):
        call_command("check")


@pytest.mark.parametrize("value", ["100M", "2G", "1048576"])
def test_a_good_value_passes(settings, value):
    settings.UPLOAD_MAX_SIZE = value
    assert check() == NO_ISSUES
