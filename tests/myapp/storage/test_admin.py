"""An upload while the storage fails: the admin says why on its form page, not with a server
error, and keeps nothing of it (StorageErrorMessageMixin, as uploader's admin uses it)."""

import html

import pytest
from django.contrib.admin.models import LogEntry

from tests.helpers import s3
from tests.helpers.admin import ADD_URL, admin_upload
from tests.helpers.project import use_storage_dsn
from uploader.models import UploadedFile

CONTENT = b"%PDF-1.4 a report\n"


def error_messages(page):
    return [str(message) for message in page.context["messages"] if message.level_tag == "error"]


@pytest.mark.django_db
def test_an_upload_while_the_s3_server_is_down_shows_why_and_keeps_nothing(
    admin_client, settings, down_s3_dsn
):
    use_storage_dsn(settings, down_s3_dsn)

    response = admin_upload(admin_client, "report.pdf", CONTENT)

    assert (response.status_code, response.url) == (302, ADD_URL)
    page = admin_client.get(response.url)
    (message,) = error_messages(page)
    assert message.startswith(
        "Nothing was saved: the file could not be stored (the endpoint cannot be reached: "
    )
    assert "checkstorage" in message
    assert html.escape(message) in page.content.decode()  # shown on the page, above the form
    assert s3.SECRET not in message
    assert not UploadedFile.objects.exists()
    assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_an_upload_into_a_folder_that_cannot_be_written_shows_why(admin_client, media_dir):
    media_dir.write_bytes(b"")  # a file where the folder should be

    response = admin_upload(admin_client, "report.pdf", CONTENT)

    assert (response.status_code, response.url) == (302, ADD_URL)
    (message,) = error_messages(admin_client.get(response.url))
    assert message.startswith("Nothing was saved: the file could not be stored (")
    assert str(media_dir) in message
    assert not UploadedFile.objects.exists()


@pytest.mark.django_db
def test_the_upload_works_again_once_the_storage_is_back(admin_client, settings, s3_bucket):
    dsn = s3_bucket.dsn
    use_storage_dsn(settings, dsn.replace(s3_bucket.name, "no-such-bucket"))
    response = admin_upload(admin_client, "report.pdf", CONTENT)
    assert "the bucket does not exist" in error_messages(admin_client.get(response.url))[0]

    use_storage_dsn(settings, dsn)
    response = admin_upload(admin_client, "report.pdf", CONTENT)
    assert response.status_code == 302
    assert response.url != ADD_URL
    assert UploadedFile.objects.get().file.read() == CONTENT
