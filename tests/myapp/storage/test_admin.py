"""An upload while the storage fails: the admin says so on its form page in plain words, not with
a server error, puts the reason in the log, and keeps nothing of it (StorageErrorMessageMixin, as
uploader's admin uses it)."""

import html

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from myapp.storage.admin import extend_file_admins
from tests.helpers import s3
from tests.helpers.admin import ADD_URL, admin_upload
from tests.helpers.files import read_stored
from tests.helpers.project import use_storage_dsn
from uploader.admin import UploadedFileAdmin
from uploader.models import UploadedFile

CONTENT = b"%PDF-1.4 a report\n"


PLAIN = (
    "Nothing was saved. The storage could not take the file just now. Try again in a few "
    "minutes; if it goes on, tell whoever runs this site."
)


def error_messages(page):
    return [str(message) for message in page.context["messages"] if message.level_tag == "error"]


def logged_reason(caplog):
    (record,) = [r for r in caplog.records if r.getMessage().startswith("Nothing saved")]
    return record.getMessage()


@pytest.mark.django_db
def test_an_upload_while_the_s3_server_is_down_shows_why_and_keeps_nothing(
    admin_client, settings, down_s3_dsn, caplog
):
    use_storage_dsn(settings, down_s3_dsn)

    response = admin_upload(admin_client, "report.pdf", CONTENT)

    assert (response.status_code, response.url) == (302, ADD_URL)
    page = admin_client.get(response.url)
    (message,) = error_messages(page)
    assert message == PLAIN  # no endpoint, no command: for an editor
    assert html.escape(message) in page.content.decode()  # shown on the page, above the form
    reason = logged_reason(caplog)
    assert "the endpoint cannot be reached: " in reason
    assert "checkstorage" in reason
    assert s3.SECRET not in reason
    assert not UploadedFile.objects.exists()
    assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_an_upload_into_a_folder_that_cannot_be_written_shows_why(admin_client, media_dir, caplog):
    media_dir.write_bytes(b"")  # a file where the folder should be

    response = admin_upload(admin_client, "report.pdf", CONTENT)

    assert (response.status_code, response.url) == (302, ADD_URL)
    assert error_messages(admin_client.get(response.url)) == [PLAIN]
    assert str(media_dir) in logged_reason(caplog)
    assert not UploadedFile.objects.exists()


@pytest.mark.django_db
def test_the_upload_works_again_once_the_storage_is_back(
    admin_client, settings, moto_bucket, caplog
):
    # SeaweedFS makes a bucket that a key allowed to make one writes to; moto does not.
    s3_bucket = moto_bucket
    dsn = s3_bucket.dsn
    use_storage_dsn(settings, dsn.replace(s3_bucket.name, "no-such-bucket"))
    response = admin_upload(admin_client, "report.pdf", CONTENT)
    assert error_messages(admin_client.get(response.url)) == [PLAIN]
    assert "the bucket does not exist" in logged_reason(caplog)

    use_storage_dsn(settings, dsn)
    response = admin_upload(admin_client, "report.pdf", CONTENT)
    assert response.status_code == 302
    assert response.url != ADD_URL
    assert read_stored(UploadedFile.objects.get().file) == CONTENT


# How an app adds to the admins of the models with files it never names


class Marked:
    """A mixin an app would give: it changes nothing but marks the admins that got it."""


def test_every_admin_with_files_gets_the_mixin_and_keeps_what_it_was():
    site = admin.AdminSite(name="fresh")
    site.register(UploadedFile, UploadedFileAdmin)
    site.register(Group, GroupAdmin)

    extend_file_admins(site, Marked)

    extended = site._registry[UploadedFile]
    assert isinstance(extended, Marked)
    assert isinstance(extended, UploadedFileAdmin)
    assert extended.list_display == UploadedFileAdmin.list_display
    assert type(site._registry[Group]) is GroupAdmin


def test_an_admin_extended_twice_gets_the_mixin_once():
    site = admin.AdminSite(name="fresh")
    site.register(UploadedFile, UploadedFileAdmin)
    extend_file_admins(site, Marked)
    once = type(site._registry[UploadedFile])

    extend_file_admins(site, Marked)

    assert type(site._registry[UploadedFile]) is once
