"""What a stored file's row records (uploader/models.py), once, when the file is stored: its name
as it was uploaded, its size, the type it is served with and when, so that the admin's list asks
the storage nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from uploader.models import UploadedFile

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

CONTENT = b"<svg xmlns='http://www.w3.org/2000/svg'/>" + bytes(1000)


def store_file(name, content=CONTENT):
    """Save a row with a new file, as the admin's form does; return the row as read back."""
    uploaded = UploadedFile(file=SimpleUploadedFile(name, content))
    uploaded.save()
    return UploadedFile.objects.get(pk=uploaded.pk)


def test_a_row_records_the_file_as_it_was_uploaded_and_as_it_is_served(stored):
    before = timezone.now()

    uploaded = store_file("My Drawing.svg")

    assert uploaded.name == "My Drawing.svg"
    assert uploaded.file.name == "My_Drawing.svg.txt"  # cleaned, and never run as a page
    assert stored.names() == {"My_Drawing.svg.txt"}
    assert uploaded.size == len(CONTENT)
    assert uploaded.content_type == "text/plain"
    assert before <= uploaded.uploaded_at <= timezone.now()


def test_a_compressed_file_is_recorded_as_the_compressed_bytes(media_dir):
    uploaded = store_file("backup.tar.gz", b"\x1f\x8b" + bytes(10))

    assert (uploaded.content_type, uploaded.size) == ("application/gzip", 12)


def test_the_name_as_uploaded_is_kept_in_one_unicode_form(media_dir):
    """macOS sends names decomposed (e + combining accent); a search types them composed."""
    uploaded = store_file("re\u0301sume\u0301 2024.pdf")

    assert uploaded.name == "r\u00e9sum\u00e9 2024.pdf"
    assert UploadedFile.objects.filter(name__contains="r\u00e9sum\u00e9").exists()


def test_a_row_saved_again_without_a_new_file_keeps_what_it_recorded(media_dir):
    uploaded = store_file("report.pdf")
    recorded = (uploaded.name, uploaded.size, uploaded.content_type, uploaded.uploaded_at)

    uploaded.save()

    uploaded.refresh_from_db()
    assert (uploaded.name, uploaded.size, uploaded.content_type, uploaded.uploaded_at) == recorded


def test_a_new_file_is_recorded_in_place_of_the_old(media_dir):
    uploaded = store_file("report.pdf")
    UploadedFile.objects.filter(pk=uploaded.pk).update(
        uploaded_at=timezone.now() - timedelta(days=1)
    )
    uploaded.refresh_from_db()

    uploaded.file = SimpleUploadedFile("photo.png", b"\x89PNG" + bytes(10))
    uploaded.save()

    uploaded.refresh_from_db()
    assert (uploaded.name, uploaded.size, uploaded.content_type) == ("photo.png", 14, "image/png")
    assert uploaded.uploaded_at > timezone.now() - timedelta(minutes=1)


def test_a_row_is_shown_as_the_name_it_was_uploaded_with(media_dir):
    assert str(store_file("My Drawing.svg")) == "My Drawing.svg"


def test_a_row_from_before_names_were_recorded_is_shown_as_its_file():
    assert str(UploadedFile(file="old/report.pdf")) == "old/report.pdf"
