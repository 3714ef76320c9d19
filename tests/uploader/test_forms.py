"""The uploader's form (uploader/forms.py): it says the largest file it takes, refuses a larger
one, and takes a name of any length, which the storage shortens."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers.admin import ADD_URL
from uploader.forms import UploadedFileForm
from uploader.models import UploadedFile


def form_with(name, content):
    return UploadedFileForm(data={}, files={"file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
def test_the_admin_s_form_says_what_the_limit_is(admin_client, settings):
    settings.UPLOAD_MAX_SIZE = "500M"
    assert "At most 500.0\xa0MB." in admin_client.get(ADD_URL).content.decode()


@pytest.mark.parametrize(("limit", "said"), [("2K", "2.0\xa0KB"), ("1G", "1.0\xa0GB")])
def test_the_help_text_names_the_limit_of_the_moment(settings, limit, said):
    settings.UPLOAD_MAX_SIZE = limit
    assert UploadedFileForm().fields["file"].help_text == f"At most {said}."


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(settings):
    settings.UPLOAD_MAX_SIZE = "2K"

    form = form_with("big.bin", b"x" * 2049)

    assert not form.is_valid()
    assert form.errors["file"] == ["big.bin is 2.0\xa0KB; files may be at most 2.0\xa0KB."]


def test_a_file_of_exactly_the_limit_is_taken(settings):
    settings.UPLOAD_MAX_SIZE = "2K"
    assert form_with("fits.bin", b"x" * 2048).is_valid()


@pytest.mark.django_db
def test_a_name_longer_than_the_column_is_taken_and_stored_shortened(media_dir):
    """Django's form would refuse a name over the column's 100 characters."""
    name = "a" * 300 + ".pdf"
    form = form_with(name, b"%PDF-1.4")

    assert form.is_valid(), form.errors
    form.save()

    uploaded = UploadedFile.objects.get()
    assert len(uploaded.file.name) <= 100
    assert uploaded.file.name.endswith(".pdf")
    assert (media_dir / uploaded.file.name).read_bytes() == b"%PDF-1.4"
    # As Django keeps an uploaded file's name: 255 characters at most, its extension kept.
    assert uploaded.name == "a" * 251 + ".pdf"
