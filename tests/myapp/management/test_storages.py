"""The storage a command is given (myapp/management/storages.py): opened from its DSN, or a
CommandError that says which DSN is wrong and why, never showing its secret."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from myapp.management.storages import storage_from
from tests.helpers.dsns import MALFORMED, SECRET
from tests.helpers.project import use_storage_dsn


def test_a_usable_dsn_opens_its_storage(tmp_path):
    storage = storage_from(f"file://{tmp_path}/media/?url=%2Fmedia%2F", "The DSN given")

    name = storage.save("report.txt", ContentFile(b"a report"))

    assert (tmp_path / "media" / name).read_bytes() == b"a report"
    assert storage.url(name) == "/media/report.txt"


@pytest.mark.parametrize(("dsn", "reason"), MALFORMED)
def test_a_wrong_dsn_is_a_command_error_naming_it_and_why_without_its_secret(dsn, reason):
    with pytest.raises(CommandError) as raised:
        storage_from(dsn, "The DSN given")

    message = str(raised.value)
    assert message.startswith("The DSN given is not a usable storage DSN: ")
    assert message.endswith(".")
    assert reason in message
    assert SECRET not in message
    # Nothing but the message: the error it replaces is not shown with it.
    assert raised.value.__suppress_context__


@pytest.mark.django_db
def test_a_command_names_the_setting_that_holds_the_wrong_dsn(settings):
    use_storage_dsn(settings, f"s3://KEY:{SECRET}@Bad_Bucket.s3.amazonaws.com/")

    with pytest.raises(CommandError) as raised:
        call_command("sweepuploads")

    message = str(raised.value)
    assert message.startswith("DEFAULT_STORAGE_DSN is not a usable storage DSN: ")
    assert "not a valid S3 bucket name" in message
    assert SECRET not in message
