"""Files already in the storage when their form is saved (myapp/storage/stored.py): a cloud
storage keeps such a file where it is instead of sending it again, or sends it as any file when
it is not there, against moto's S3 and Azurite."""

import io

import pytest
from django.core.files.storage import default_storage

from myapp.storage.stored import StoredUpload
from tests.helpers.traffic import record_traffic
from uploader.models import UploadedFile

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

SENT_AHEAD = b"%PDF-1.4 sent ahead of its form"
CONTENT = b"%PDF-1.4 the bytes of the upload itself"


class SentAhead(StoredUpload):
    """A file sent to the storage before its form was saved, under ``stored_as``, as the S3
    upload handler and the browser's direct uploads send theirs."""

    def __init__(self, name, content, stored_as):
        super().__init__(io.BytesIO(content), name, "application/pdf", len(content), None)
        self.stored_as = stored_as
        self.asked = []

    def save_in(self, storage, name, max_length):
        self.asked.append(name)
        return self.stored_as


def test_a_file_sent_ahead_is_kept_under_its_name_and_not_sent_again(stored_cloud, monkeypatch):
    sent = default_storage.save("ahead.pdf", io.BytesIO(SENT_AHEAD))
    upload = SentAhead("report.pdf", CONTENT, stored_as=sent)
    traffic = record_traffic(monkeypatch)

    name = default_storage.save("report.pdf", upload)

    assert name == sent
    assert upload.asked == ["report.pdf"]
    assert traffic == []  # not a byte sent, not a question asked
    assert stored_cloud.names() == {sent}
    assert stored_cloud.read(sent) == SENT_AHEAD


def test_a_file_not_sent_ahead_is_sent_as_any_file(stored_cloud, monkeypatch):
    upload = SentAhead("report.pdf", CONTENT, stored_as=None)
    traffic = record_traffic(monkeypatch)

    name = default_storage.save("report.pdf", upload)

    assert upload.asked == ["report.pdf"]
    assert name == "report.pdf"
    assert stored_cloud.names() == {"report.pdf"}
    assert stored_cloud.read("report.pdf") == CONTENT
    assert sum(request.sent for request in traffic) >= len(CONTENT)


def test_a_row_saved_with_a_file_sent_ahead_names_it(stored_cloud):
    sent = default_storage.save("ahead.pdf", io.BytesIO(SENT_AHEAD))

    uploaded = UploadedFile(file=SentAhead("report.pdf", CONTENT, stored_as=sent))
    uploaded.save()

    uploaded.refresh_from_db()
    assert uploaded.file.name == sent
    assert (uploaded.name, uploaded.size) == ("report.pdf", len(CONTENT))
    assert stored_cloud.names() == {sent}
