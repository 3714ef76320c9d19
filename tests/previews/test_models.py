"""What the previews app records (previews/models.py): the previews of one file of one row."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError

from previews.models import Preview
from uploader.models import UploadedFile

pytestmark = pytest.mark.django_db


def preview(**fields):
    model = ContentType.objects.get_for_model(UploadedFile)
    return Preview.objects.create(**{"model": model, "object_id": "1", "field": "file", **fields})


def test_a_file_of_a_row_has_one_record_of_its_previews():
    preview(name="photo.jpg")

    with pytest.raises(IntegrityError):
        preview(name="photo-v2.jpg")


def test_each_field_of_a_row_and_each_row_has_its_own():
    preview(name="photo.jpg")
    preview(name="cover.jpg", field="cover")
    preview(name="other.jpg", object_id="2")

    assert Preview.objects.count() == 3


def test_the_names_stored_are_those_made():
    made = preview(name="photo.jpg", thumbnail=".previews/photo.jpg/thumbnail.webp", large="")

    assert made.stored_names() == [".previews/photo.jpg/thumbnail.webp"]
    assert str(made) == "Previews of photo.jpg"
