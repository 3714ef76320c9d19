"""`manage.py sweepuploads`: what unfinished uploads left behind goes, what was saved stays."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from myapp.storage.models import Upload
from tests.helpers import direct as direct_client
from tests.helpers.stores import Bucket

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024
CONTENT = b"x" * (9 * MiB)


def sweep(*args):
    out = StringIO()
    call_command("sweepuploads", *args, stdout=out)
    return out.getvalue().splitlines()[-1]


def two_days_ago(name):
    Upload.objects.filter(name=name).update(started_at=timezone.now() - timedelta(days=2))


def test_old_unfinished_uploads_go_and_saved_or_recent_ones_stay(admin_client, stored_cloud):
    api = direct_client.TestClientApi(admin_client)
    unfinished = direct_client.start(api, "unfinished.bin", len(CONTENT))
    direct_client.send(api, unfinished, CONTENT)  # every part sent, the upload never completed
    direct_client.upload(api, "never-saved.bin", CONTENT)  # completed, its form never saved
    assert api.save(direct_client.upload(api, "saved.bin", CONTENT)).status_code == 302
    direct_client.upload(api, "recent.bin", CONTENT)
    for name in ("unfinished.bin", "never-saved.bin"):
        two_days_ago(name)

    assert sweep() == "swept 2, failed 0"

    assert stored_cloud.names() == {"saved.bin", "recent.bin"}
    assert list(Upload.objects.values_list("name", flat=True)) == ["recent.bin"]


def test_parts_a_killed_web_server_left_are_aborted(s3_bucket):
    s3_bucket.client.create_multipart_upload(Bucket=s3_bucket.name, Key="killed.bin")

    assert sweep("--older-than", "0") == "swept 1, failed 0"
    assert Bucket(s3_bucket).names() == set()


def test_a_reservation_of_a_saved_file_never_deletes_the_file(admin_client, s3_bucket):
    api = direct_client.TestClientApi(admin_client)
    token = direct_client.upload(api, "kept.bin", CONTENT)
    upload = Upload.objects.get()
    assert api.save(token).status_code == 302
    upload.save()  # as if releasing the name had failed after the row was saved
    two_days_ago("kept.bin")

    assert sweep() == "swept 1, failed 0"
    assert Bucket(s3_bucket).names() == {"kept.bin"}
    assert not Upload.objects.exists()
