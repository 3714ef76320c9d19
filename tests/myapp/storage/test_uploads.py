"""How uploads travel (myapp/storage/uploads.py): read a MiB at a time; to S3 in parts while the
request is read, saved without being sent twice, leaving nothing behind when not saved; to file
storage by a rename.

Against the real moto server on loopback (the ``s3_bucket`` fixture) and real request bodies read
by Django's own multipart parser.
"""

import gc
import io
import os
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.files import uploadhandler
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test import Client, RequestFactory

from myapp.models import NameReservation
from myapp.storage.multipart import SentElsewhere
from myapp.storage.uploads import UPLOADING_FOLDER
from tests.helpers import s3
from tests.helpers.admin import ADD_URL, admin_upload
from tests.helpers.files import sha256, stored_chunks
from tests.helpers.ports import free_port
from tests.helpers.project import use_storage_dsn
from tests.helpers.traffic import record_traffic
from uploader.models import UploadedFile

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
# The site the test client's requests are for, as a browser names it in Origin.
SITE = "http://testserver"
# Three parts of AWS_S3_TRANSFER_CONFIG's 8 MiB or a little more: two full ones and the rest.
LARGE = os.urandom(20 * MiB)


def request_with_file(name, content, content_type="application/octet-stream", **headers):
    """A POST of the admin's add form with one file, by a user who may add, from the admin's page,
    as a browser encodes it, not yet read."""
    request = RequestFactory().post(
        ADD_URL,
        {"file": SimpleUploadedFile(name, content, content_type)},
        headers={"Origin": SITE, **headers},
    )
    request.user, _ = get_user_model().objects.get_or_create(
        username="editor", defaults={"is_staff": True, "is_superuser": True}
    )
    return request


def objects(bucket):
    return {
        item["Key"]: item["Size"]
        for item in bucket.client.list_objects_v2(Bucket=bucket.name).get("Contents", [])
    }


def pending_uploads(bucket):
    return bucket.client.list_multipart_uploads(Bucket=bucket.name).get("Uploads", [])


def stored_bytes(bucket, key):
    return bucket.client.get_object(Bucket=bucket.name, Key=key)["Body"].read()


def s3_operations(storage):
    """The S3 operations ``storage`` calls from now on, in order."""
    calls = []
    for client in (storage.connection.meta.client, storage.completing_client):
        client.meta.events.register(
            "before-call.s3", lambda model, **kwargs: calls.append(model.name)
        )
    return calls


class ChunkCounter(uploadhandler.FileUploadHandler):
    """Counts the pieces of a file's body the parser hands the handlers, passing each on.

    It asks for no chunk size of its own: the project's handlers choose it.
    """

    chunk_size = None
    chunks = []

    def receive_data_chunk(self, raw_data, start):
        self.chunks.append(len(raw_data))
        return raw_data

    def file_complete(self, file_size):
        return None


def test_the_body_is_read_a_mib_at_a_time(stored, settings, monkeypatch):
    """gunicorn hands a body over up to a MiB at once: Django's 64 KiB reads copy it many times."""
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.ChunkCounter", *settings.FILE_UPLOAD_HANDLERS]
    monkeypatch.setattr(ChunkCounter, "chunks", [])
    content = os.urandom(4 * MiB)
    request = request_with_file("report.bin", content)

    assert request.FILES["file"].size == len(content)
    request.close()

    assert sum(ChunkCounter.chunks) == len(content)
    assert len(ChunkCounter.chunks) <= 5  # 64 with Django's handlers


def test_a_file_is_in_s3_in_parts_once_the_request_is_read(s3_bucket):
    request = request_with_file("report.bin", LARGE)

    upload = request.FILES["file"]

    assert upload.size == len(LARGE)
    (pending,) = pending_uploads(s3_bucket)
    assert pending["Key"] == "report.bin"
    parts = s3_bucket.client.list_parts(
        Bucket=s3_bucket.name, Key="report.bin", UploadId=pending["UploadId"]
    )["Parts"]
    *full, last = [part["Size"] for part in parts]
    assert len(full) == 2
    assert all(size >= 8 * MiB for size in full)
    assert sum(full) + last == len(LARGE)
    assert objects(s3_bucket) == {}  # invisible until saved
    request.close()


def test_saving_completes_the_upload_without_sending_the_file_again(s3_bucket):
    request = request_with_file("report.bin", LARGE)
    upload = request.FILES["file"]
    calls = s3_operations(default_storage)

    name = default_storage.save("report.bin", upload)
    request.close()  # as Django does once the response is sent

    assert name == "report.bin"
    assert calls == ["CompleteMultipartUpload"]
    assert stored_bytes(s3_bucket, name) == LARGE
    assert pending_uploads(s3_bucket) == []


@pytest.mark.django_db
def test_an_admin_upload_is_stored_once_with_the_same_bytes(admin_client, s3_bucket):
    response = admin_upload(admin_client, "video.bin", LARGE)

    assert response.status_code == 302
    assert response.url != ADD_URL
    uploaded = UploadedFile.objects.get()
    assert objects(s3_bucket) == {uploaded.file.name: len(LARGE)}
    assert sha256(stored_chunks(uploaded.file)) == sha256([LARGE])
    assert pending_uploads(s3_bucket) == []


@pytest.mark.django_db
def test_two_admin_uploads_of_one_name_keep_both(admin_client, s3_bucket):
    other = os.urandom(9 * MiB)
    admin_upload(admin_client, "video.bin", LARGE)
    admin_upload(admin_client, "video.bin", other)

    first, second = UploadedFile.objects.order_by("id")
    assert first.file.name == "video.bin"
    assert second.file.name != "video.bin"
    assert stored_bytes(s3_bucket, first.file.name) == LARGE
    assert stored_bytes(s3_bucket, second.file.name) == other


def test_a_file_that_is_not_saved_leaves_nothing(s3_bucket):
    request = request_with_file("report.bin", LARGE)
    request.FILES["file"]

    request.close()  # the form was invalid, or the view wanted no file

    assert pending_uploads(s3_bucket) == []
    assert objects(s3_bucket) == {}


def test_an_interrupted_request_leaves_nothing(s3_bucket):
    """The browser was closed half-way: Django reads a body shorter than announced."""
    complete = request_with_file("report.bin", LARGE)
    body = complete.read()
    environ = {**complete.META, "wsgi.input": io.BytesIO(body[: len(body) // 2])}

    request = WSGIRequest(environ)
    request.user = complete.user

    assert "file" not in request.FILES
    assert pending_uploads(s3_bucket) == []
    assert objects(s3_bucket) == {}


class FailingStream(io.BytesIO):
    """A body whose connection breaks after ``limit`` bytes."""

    def __init__(self, body, limit):
        super().__init__(body)
        self.limit = limit

    def read(self, size=-1):
        if self.tell() >= self.limit:
            raise OSError("connection reset")
        return super().read(size)


def test_a_request_that_fails_half_way_leaves_nothing(s3_bucket):
    complete = request_with_file("report.bin", LARGE)
    body = complete.read()
    request = WSGIRequest({**complete.META, "wsgi.input": FailingStream(body, 17 * MiB)})
    request.user = complete.user

    with pytest.raises(OSError, match="connection reset"):
        _ = request.FILES
    assert pending_uploads(s3_bucket)  # two parts arrived before the failure

    del request  # as the request handler lets go of it
    gc.collect()
    assert pending_uploads(s3_bucket) == []
    assert objects(s3_bucket) == {}


def test_overlapping_uploads_of_one_name_both_keep_their_bytes_under_two_names(s3_bucket):
    """Both are on their way to S3 before either is saved: the second found the name taken."""
    other = os.urandom(9 * MiB)
    first = request_with_file("report.bin", LARGE)
    second = request_with_file("report.bin", other)
    first_file, second_file = first.FILES["file"], second.FILES["file"]

    first_name = default_storage.save("report.bin", first_file)
    second_name = default_storage.save("report.bin", second_file)
    first.close(), second.close()

    assert first_name == "report.bin"
    assert second_name != first_name
    assert objects(s3_bucket) == {first_name: len(LARGE), second_name: len(other)}
    assert stored_bytes(s3_bucket, second_name) == other
    assert pending_uploads(s3_bucket) == []
    assert not NameReservation.objects.exists()  # no name is held any longer


def test_a_file_saved_under_another_name_is_refused_and_never_readable(s3_bucket):
    """Completed under the name it was sent as, to be copied, it could be read there before the
    form's checks gave it a name."""
    request = request_with_file("report.bin", LARGE)

    with pytest.raises(SentElsewhere):
        default_storage.save("2024/report.bin", request.FILES["file"])
    request.close()

    assert objects(s3_bucket) == {}
    assert pending_uploads(s3_bucket) == []
    assert not NameReservation.objects.exists()


# Only an upload an admin form of this user would save, from this site, reaches the storage


@pytest.mark.parametrize(
    ("path", "user", "origin"),
    [
        ("/admin/login/", None, SITE),  # anyone, to a page that takes no file
        (ADD_URL, None, SITE),  # not logged in
        (ADD_URL, "viewer", SITE),  # logged in, may not add
        (ADD_URL, "editor", "https://evil.example"),  # another site's page posting for them
        (ADD_URL, "editor", None),  # no Origin: not a browser's POST
    ],
)
def test_a_request_that_may_not_upload_sends_nothing_to_the_storage(
    s3_bucket, monkeypatch, path, user, origin
):
    request = RequestFactory().post(
        path,
        {"file": SimpleUploadedFile("report.bin", LARGE)},
        headers={"Origin": origin} if origin else {},
    )
    request.user = AnonymousUser() if user is None else staff(user)
    traffic = record_traffic(monkeypatch)

    request.FILES["file"].read(1)
    request.close()

    assert traffic == []
    assert not NameReservation.objects.exists()


def staff(username):
    """A staff user who may add uploaded files (editor) or only look at them (viewer)."""
    user = get_user_model().objects.create_user(username, is_staff=True)
    codename = "add_uploadedfile" if username == "editor" else "view_uploadedfile"
    user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_an_anonymous_post_to_the_login_page_costs_no_storage_traffic(
    client, s3_bucket, monkeypatch
):
    traffic = record_traffic(monkeypatch)

    response = Client(enforce_csrf_checks=True).post(
        "/admin/login/", {"file": SimpleUploadedFile("big.bin", LARGE)}, headers={"Origin": SITE}
    )

    assert response.status_code == 403
    assert traffic == []
    assert not NameReservation.objects.exists()


def test_the_type_the_browser_claims_is_not_the_type_s3_serves(s3_bucket):
    """The name's (application/octet-stream), as every storage serves it, sent once."""
    request = request_with_file("report.bin", LARGE, content_type="text/html")

    name = default_storage.save("report.bin", request.FILES["file"])
    request.close()

    assert objects(s3_bucket) == {name: len(LARGE)}
    stored = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=name)
    assert stored["ContentType"] == "application/octet-stream"
    assert stored_bytes(s3_bucket, name) == LARGE
    assert pending_uploads(s3_bucket) == []


def test_a_small_and_an_empty_file_are_stored_too(s3_bucket):
    request = RequestFactory().post(
        "/",
        {
            "small": SimpleUploadedFile("small.txt", b"hello"),
            "empty": SimpleUploadedFile("empty.txt", b""),
        },
    )

    small = default_storage.save("small.txt", request.FILES["small"])
    empty = default_storage.save("empty.txt", request.FILES["empty"])
    request.close()

    assert stored_bytes(s3_bucket, small) == b"hello"
    assert stored_bytes(s3_bucket, empty) == b""
    assert pending_uploads(s3_bucket) == []


@pytest.mark.django_db
def test_when_s3_fails_the_admin_says_so_on_saving_not_while_reading_the_request(
    admin_user, settings
):
    """Read by the CSRF check before the admin's view runs, the body must not raise: the rest of
    the file is dropped, and saving it raises the error, which the admin shows."""
    port = free_port()  # nothing listens there
    secret = quote(s3.SECRET, safe="")
    use_storage_dsn(settings, f"s3+http://{s3.KEY}:{secret}@127.0.0.1:{port}/media")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    form = client.get(ADD_URL)
    token = form.context["csrf_token"]

    response = client.post(
        ADD_URL,
        {"file": SimpleUploadedFile("video.bin", LARGE), "csrfmiddlewaretoken": token},
    )

    assert (response.status_code, response.url) == (302, ADD_URL)
    assert not UploadedFile.objects.exists()


def test_with_file_storage_a_large_file_is_received_in_the_media_folder_and_renamed(media_dir):
    request = request_with_file("report.bin", LARGE)
    upload = request.FILES["file"]
    received = os.stat(upload.temporary_file_path())

    name = default_storage.save("report.bin", upload)
    request.close()

    assert os.path.dirname(upload.temporary_file_path()) == str(media_dir / UPLOADING_FOLDER)
    stored = media_dir / name
    assert os.stat(stored).st_ino == received.st_ino  # the same file, not a copy
    assert stored.read_bytes() == LARGE
    assert list((media_dir / UPLOADING_FOLDER).iterdir()) == []
