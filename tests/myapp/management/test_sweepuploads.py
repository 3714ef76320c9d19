"""`manage.py sweepuploads`: what a web server stopped mid-upload left behind goes, what was
saved stays."""

import pytest
from django.core.files.storage import default_storage

from myapp.models import NameReservation
from myapp.storage.reservations import reserve
from tests.helpers.stores import Bucket
from tests.helpers.sweeps import sweep, two_days_ago
from uploader.models import UploadedFile

pytestmark = pytest.mark.django_db


def test_parts_a_killed_web_server_left_are_aborted(s3_bucket):
    s3_bucket.client.create_multipart_upload(Bucket=s3_bucket.name, Key="killed.bin")

    assert sweep("--older-than", "0") == "swept 1, failed 0"
    assert Bucket(s3_bucket).names() == set()


def test_an_old_name_is_freed_and_what_it_stored_without_a_row_deleted(stored):
    for name in ("orphan.bin", "saved.bin", "recent.bin"):
        reserve(default_storage, name)
        stored.put(name, b"x")
    UploadedFile.objects.create(file="saved.bin", name="saved.bin", size=1)
    two_days_ago("orphan.bin")
    two_days_ago("saved.bin")

    assert sweep() == "swept 2, failed 0"

    assert stored.names() == {"saved.bin", "recent.bin"}
    assert list(NameReservation.objects.values_list("name", flat=True)) == ["recent.bin"]
