"""A stored file lives exactly as long as its row: deleted with it (one, in bulk, by a cascade)
and when replaced, once the transaction commits; never left behind by a save that fails."""

import contextlib

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, connection, transaction

from tests.helpers.admin import admin_upload
from tests.helpers.project import manage
from uploader.admin import UploadedFileAdmin
from uploader.lifecycle import delete_stored_files_on_error
from uploader.models import UploadedFile

CONTENT = b"%PDF-1.4\n" + bytes(range(256)) * 16
CHANGELIST = "/admin/uploader/uploadedfile/"


class Boom(Exception):
    pass


def fail_after(action, *blocks):
    """Run ``action`` inside ``blocks`` (context managers, outermost first), then raise Boom."""
    with contextlib.ExitStack() as stack:
        for block in blocks:
            stack.enter_context(block)
        action()
        raise Boom


def create(name="report.pdf", content=CONTENT, **fields):
    uploaded = UploadedFile(file=SimpleUploadedFile(name, content), **fields)
    uploaded.save()
    return uploaded


def uploaded_in_admin(client, name="report.pdf", content=CONTENT):
    assert admin_upload(client, name, content).status_code == 302
    return UploadedFile.objects.latest("pk")


# Deleting and replacing, with real commits


@pytest.mark.django_db(transaction=True)
def test_deleting_a_row_deletes_its_file_once_the_transaction_commits(stored):
    uploaded = create()
    assert stored.names() == {"report.pdf"}

    with transaction.atomic():
        uploaded.delete()
        assert stored.names() == {"report.pdf"}  # a rollback could still bring the row back

    assert stored.names() == set()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_delete_keeps_the_row_and_its_file(stored):
    uploaded = create()

    with pytest.raises(Boom):
        fail_after(uploaded.delete, transaction.atomic())

    assert UploadedFile.objects.get().file.name == "report.pdf"
    assert stored.read("report.pdf") == CONTENT


@pytest.mark.django_db(transaction=True)
def test_replacing_the_file_deletes_the_old_one(stored):
    uploaded = create("old.txt", b"old")
    uploaded = UploadedFile.objects.get()  # as the admin has it: loaded from the database

    uploaded.file = SimpleUploadedFile("new.txt", b"new")
    uploaded.save()

    assert stored.names() == {"new.txt"}
    assert stored.read("new.txt") == b"new"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_replacement_keeps_the_old_file_and_drops_the_new(stored):
    create("old.txt", b"old")
    uploaded = UploadedFile.objects.get()

    def replace():
        uploaded.file = SimpleUploadedFile("new.txt", b"new")
        uploaded.save()
        assert stored.names() == {"old.txt", "new.txt"}

    with pytest.raises(Boom):
        fail_after(replace, delete_stored_files_on_error(), transaction.atomic())

    assert UploadedFile.objects.get().file.name == "old.txt"
    assert stored.names() == {"old.txt"}


@pytest.mark.django_db(transaction=True)
def test_a_commit_that_fails_leaves_no_file(stored):
    """A real failure at COMMIT: foreign keys are checked then (deferred), on SQLite and
    PostgreSQL alike, well after the file was stored."""

    def create_for_a_missing_user():
        create(uploaded_by_id=2**31 - 1)
        assert stored.names() == {"report.pdf"}

    with pytest.raises(IntegrityError), delete_stored_files_on_error(), transaction.atomic():
        create_for_a_missing_user()

    assert not UploadedFile.objects.exists()
    assert stored.names() == set()


@pytest.mark.django_db
def test_an_outer_block_deletes_what_an_inner_block_stored(stored):
    def create_in_an_inner_block():
        with delete_stored_files_on_error():
            create()

    with pytest.raises(Boom):
        fail_after(create_in_an_inner_block, delete_stored_files_on_error(), transaction.atomic())

    assert not UploadedFile.objects.exists()
    assert stored.names() == set()


# In the admin, as a user does it


@pytest.mark.django_db
def test_deleting_in_the_admin_deletes_the_file(
    admin_client, stored, django_capture_on_commit_callbacks
):
    uploaded = uploaded_in_admin(admin_client)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{CHANGELIST}{uploaded.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not UploadedFile.objects.exists()
    assert stored.names() == set()


@pytest.mark.django_db
def test_a_bulk_delete_in_the_admin_deletes_exactly_those_files(
    admin_client, stored, django_capture_on_commit_callbacks
):
    first, second, kept = (uploaded_in_admin(admin_client, f"{n}.txt", n.encode()) for n in "abc")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert list(UploadedFile.objects.all()) == [kept]
    assert stored.names() == {"c.txt"}


@pytest.mark.django_db
def test_deleting_a_user_deletes_their_uploads_and_files(
    admin_client, client, stored, django_capture_on_commit_callbacks
):
    author = User.objects.create_user("author", password="x", is_staff=True, is_superuser=True)
    client.force_login(author)
    uploaded_in_admin(client, "theirs.txt", b"theirs")
    uploaded_in_admin(admin_client, "mine.txt", b"mine")
    delete_url = f"/admin/auth/user/{author.pk}/delete/"

    confirmation = admin_client.get(delete_url).content.decode()
    assert "theirs.txt" in confirmation  # the admin says what goes with the user
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302

    assert [u.name for u in UploadedFile.objects.all()] == ["mine.txt"]
    assert stored.names() == {"mine.txt"}


@pytest.mark.django_db
def test_replacing_in_the_admin_deletes_the_old_file(
    admin_client, stored, django_capture_on_commit_callbacks
):
    uploaded = uploaded_in_admin(admin_client, "v1.txt", b"version 1")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"{CHANGELIST}{uploaded.pk}/change/",
            {"file": SimpleUploadedFile("v2.txt", b"version 2")},
        )

    assert response.status_code == 302
    assert UploadedFile.objects.get().file.name == "v2.txt"
    assert stored.names() == {"v2.txt"}
    assert stored.read("v2.txt") == b"version 2"


# Saves that fail


def refused(response):
    """The admin's answer to a save the storage failed: back to the form, saying so."""
    said = [str(message) for message in get_messages(response.wsgi_request)]
    return response.status_code == 302 and any("Nothing was saved" in m for m in said)


@pytest.mark.django_db
def test_a_folder_that_cannot_store_leaves_no_row(admin_client, media_dir):
    media_dir.write_bytes(b"")  # a file where the folder should be: nothing can be stored

    assert refused(admin_upload(admin_client, "report.pdf", CONTENT))

    assert not UploadedFile.objects.exists()
    assert media_dir.read_bytes() == b""


@pytest.mark.django_db
def test_a_bucket_that_cannot_store_leaves_no_row(admin_client, moto_bucket):
    # SeaweedFS makes a bucket that a key allowed to make one writes to; moto does not.
    s3_bucket = moto_bucket
    s3_bucket.client.delete_bucket(Bucket=s3_bucket.name)

    assert refused(admin_upload(admin_client, "report.pdf", CONTENT))

    assert not UploadedFile.objects.exists()
    assert s3_bucket.name not in [b["Name"] for b in s3_bucket.client.list_buckets()["Buckets"]]


def refuse_uploader_inserts(execute, sql, params, many, context):
    """The database failing the INSERT of the row, which Django sends after storing the file."""
    if sql.startswith("INSERT") and "uploader_uploadedfile" in sql:
        raise DatabaseError("the database went away")
    return execute(sql, params, many, context)


@pytest.mark.django_db
def test_a_row_that_cannot_be_written_leaves_no_file(stored):
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        connection.execute_wrapper(refuse_uploader_inserts),
    ):
        create()

    assert not UploadedFile.objects.exists()
    assert stored.names() == set()


@pytest.mark.django_db
def test_a_later_step_of_the_admin_failing_leaves_no_row_and_no_file(
    admin_client, stored, monkeypatch
):
    def refuse(*args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(UploadedFileAdmin, "log_addition", refuse)

    with pytest.raises(DatabaseError):
        admin_upload(admin_client, "report.pdf", CONTENT)

    assert not UploadedFile.objects.exists()
    assert not LogEntry.objects.exists()
    assert stored.names() == set()


def test_a_wrong_storage_dsn_is_still_named_at_start_up():
    """Why the lifecycle is not django-cleanup's: it builds the storage while apps load, and an
    unknown scheme then stops every command with a bare KeyError instead of this message."""
    result = manage(
        "check", DJANGO_DEBUG="True", DEFAULT_STORAGE_DSN="s3s://KEY:SECRET@b.example.com/"
    )
    assert result.returncode == 1
    assert "(myapp.E002) DEFAULT_STORAGE_DSN is not a usable storage DSN" in result.stderr
    assert "Traceback" not in result.stderr
