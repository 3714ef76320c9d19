"""A direct upload (directuploads/models.py) holds its name until its form is saved or it is
given up: releasing it frees the name, and nothing frees the name from under it."""

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError

from directuploads.models import DirectUpload
from myapp.models import NameReservation
from myapp.storage.reservations import release, reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(admin_user, media_dir):
    return DirectUpload.objects.create(
        reservation=reserve(default_storage, "report.pdf"),
        user=admin_user,
        original_name="Report 2024.pdf",
        size=1000,
        content_type="application/pdf",
    )


def test_an_upload_is_known_by_the_name_it_holds(upload):
    assert (upload.name, str(upload)) == ("report.pdf", "report.pdf")
    assert reserve(default_storage, "report.pdf").name != "report.pdf"


def test_releasing_an_upload_deletes_it_and_frees_its_name(upload):
    upload.release()

    assert not DirectUpload.objects.exists()
    assert not NameReservation.objects.exists()
    assert reserve(default_storage, "report.pdf").name == "report.pdf"


def test_the_name_cannot_be_released_from_under_its_upload(upload, caplog):
    with pytest.raises(ProtectedError), transaction.atomic():
        NameReservation.objects.all().delete()

    release(upload.reservation)  # as an upload through the server releases its own

    assert "Could not release the name report.pdf" in caplog.text
    assert DirectUpload.objects.get().name == "report.pdf"
    assert reserve(default_storage, "report.pdf").name != "report.pdf"
