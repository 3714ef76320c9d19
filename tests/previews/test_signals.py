"""When previews are made and deleted (previews/signals.py): once the transaction that stored or
deleted a file commits, once per file, with their rows (one, in bulk, by a cascade, in the admin);
a rollback leaves them as they were, and a failure is logged, never raised."""

import contextlib
import logging
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from previews import images, signals
from previews.models import Preview
from tests.helpers import direct as direct_client
from tests.helpers import images as pictures
from tests.helpers.admin import CHANGELIST, admin_upload
from tests.helpers.previews import previews_of, uploaded
from tests.helpers.stores import Bucket, count_calls
from uploader.models import UploadedFile

PHOTO = pictures.photo(600, 400)
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4


class Boom(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    """A transaction that is rolled back: what happens inside it never commits."""
    with contextlib.suppress(Boom), transaction.atomic():
        yield
        raise Boom


def storage_calls(monkeypatch, names=("open", "save", "delete", "size")):
    """Count the default storage's calls of ``names``."""
    return count_calls(monkeypatch, storages["default"], names)


# Made once the file is stored and its row committed


@pytest.mark.django_db(transaction=True)
def test_a_stored_photo_gets_its_previews_once_the_transaction_commits(anywhere):
    with transaction.atomic():
        row = uploaded("photo.jpg", PHOTO)
        assert anywhere.names() == {"photo.jpg"}  # a rollback could still take the row away

    assert anywhere.names() == {"photo.jpg", *previews_of("photo.jpg", anywhere)}
    preview = Preview.objects.get()
    assert (preview.object_id, preview.field, preview.name) == (str(row.pk), "file", "photo.jpg")
    assert (preview.thumbnail, preview.thumbnail_width, preview.thumbnail_height) == (
        ".previews/photo.jpg/thumbnail.webp",
        128,
        85,
    )
    assert (preview.large, preview.large_width, preview.large_height) == (
        ".previews/photo.jpg/large.webp",
        600,
        400,
    )


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_upload_makes_no_previews(stored):
    with rolled_back():
        uploaded("photo.jpg", PHOTO)

    assert not Preview.objects.exists()
    assert not [name for name in stored.names() if name.startswith(".previews/")]


@pytest.mark.django_db(transaction=True)
def test_saving_a_row_again_with_its_file_makes_nothing_again(stored, monkeypatch):
    uploaded("photo.jpg", PHOTO)
    row = UploadedFile.objects.get()
    calls = storage_calls(monkeypatch)

    row.save()

    assert calls == Counter()
    assert stored.names() == {"photo.jpg", *previews_of("photo.jpg")}


@pytest.mark.django_db(transaction=True)
def test_a_save_that_leaves_the_file_out_of_update_fields_looks_at_nothing(
    stored, django_assert_num_queries
):
    row = uploaded("photo.jpg", PHOTO)

    with django_assert_num_queries(1):  # the UPDATE alone
        row.save(update_fields=["name"])


@pytest.mark.django_db(transaction=True)
def test_a_row_saved_without_previews_gets_them(stored):
    stored.put("photo.jpg", PHOTO)
    UploadedFile.objects.bulk_create([UploadedFile(file="photo.jpg", name="photo.jpg")])
    assert not Preview.objects.exists()  # bulk_create sends no signal

    UploadedFile.objects.get().save()

    assert stored.names() == {"photo.jpg", *previews_of("photo.jpg")}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["report.pdf", "clip.mp4", "notes.txt", "photo.heic"])
def test_other_kinds_of_files_get_no_previews(stored, name, monkeypatch):
    calls = storage_calls(monkeypatch, ["open", "size"])

    uploaded(name, PDF)

    assert stored.names() == {name}
    assert not Preview.objects.exists()
    assert calls == Counter()  # not even read


# Refused, or failed: the upload stands


@pytest.mark.django_db(transaction=True)
def test_a_decompression_bomb_gets_no_preview_and_the_upload_stands(stored, caplog, monkeypatch):
    row = uploaded("bomb.png", pictures.png_claiming(100_000, 100_000))

    assert UploadedFile.objects.get().file.name == "bomb.png"
    assert stored.names() == {"bomb.png"}
    assert "Previews: none for bomb.png: " in caplog.text
    preview = Preview.objects.get()  # tried once, and remembered
    assert (preview.name, preview.thumbnail, preview.large) == ("bomb.png", "", "")

    calls = storage_calls(monkeypatch)
    UploadedFile.objects.get(pk=row.pk).save()
    assert calls == Counter()  # not tried again


@pytest.mark.django_db(transaction=True)
def test_an_image_over_the_cap_gets_no_preview_and_the_upload_stands(stored, caplog):
    uploaded("scan.png", pictures.black_and_white_png(8000, 6000))

    assert stored.names() == {"scan.png"}
    assert "Previews: none for scan.png: 8000 by 6000 pixels, over 40000000" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_failure_making_previews_is_logged_never_raised(stored, caplog, monkeypatch):
    def fail(storage, name):
        raise RuntimeError("Pillow crashed")

    monkeypatch.setattr(images, "make", fail)

    with caplog.at_level(logging.ERROR, logger="previews"):
        uploaded("photo.jpg", PHOTO)

    assert UploadedFile.objects.get().file.name == "photo.jpg"
    assert stored.names() == {"photo.jpg"}
    assert "Previews: could not make those of photo.jpg" in caplog.text
    assert "RuntimeError: Pillow crashed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_failure_recording_previews_is_logged_never_raised(stored, caplog, monkeypatch):
    def fail(name, made):
        raise RuntimeError("database gone")

    monkeypatch.setattr(signals, "record", fail)

    uploaded("photo.jpg", PHOTO)

    assert UploadedFile.objects.get().file.name == "photo.jpg"
    assert stored.names() == {"photo.jpg"}  # what was made went again
    assert "Previews: update failed for a row of uploader.UploadedFile" in caplog.text
    assert "RuntimeError: database gone" in caplog.text


# Deleted with their rows, once the deletion commits


@pytest.mark.django_db(transaction=True)
def test_deleting_a_row_deletes_its_previews_once_the_transaction_commits(anywhere):
    row = uploaded("photo.jpg", PHOTO)

    with transaction.atomic():
        row.delete()
        # A rollback could bring the row back.
        assert previews_of("photo.jpg", anywhere) <= anywhere.names()

    assert anywhere.names() == set()
    assert not Preview.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_delete_keeps_the_previews(stored):
    row = uploaded("photo.jpg", PHOTO)

    with rolled_back():
        row.delete()

    assert stored.names() == {"photo.jpg", *previews_of("photo.jpg")}
    assert Preview.objects.get().name == "photo.jpg"


@pytest.mark.django_db(transaction=True)
def test_a_bulk_delete_deletes_every_row_s_previews(stored):
    for name, image_format in [("one.jpg", "JPEG"), ("two.png", "PNG"), ("three.gif", "GIF")]:
        uploaded(name, pictures.encoded(pictures.halves(60, 40), image_format))
    uploaded("keep.jpg", PHOTO)

    UploadedFile.objects.exclude(file="keep.jpg").delete()

    assert stored.names() == {"keep.jpg", *previews_of("keep.jpg")}
    assert list(Preview.objects.values_list("name", flat=True)) == ["keep.jpg"]


@pytest.mark.django_db(transaction=True)
def test_deleting_the_user_deletes_the_previews_of_their_uploads(stored):
    alice, bob = User.objects.create_user("alice"), User.objects.create_user("bob")
    uploaded("alice.jpg", PHOTO, uploaded_by=alice)
    uploaded("bob.jpg", PHOTO, uploaded_by=bob)

    alice.delete()

    assert stored.names() == {"bob.jpg", *previews_of("bob.jpg")}


@pytest.mark.django_db(transaction=True)
def test_a_storage_failing_to_delete_a_preview_is_logged(stored, caplog, monkeypatch):
    row = uploaded("photo.jpg", PHOTO)
    storage = storages["default"]
    delete = storage.delete

    def fail_for_previews(name):
        if name.startswith(".previews/"):
            raise OSError("read-only file system")
        delete(name)

    monkeypatch.setattr(storage, "delete", fail_for_previews)

    row.delete()

    assert not UploadedFile.objects.exists()
    assert not Preview.objects.exists()
    for name in previews_of("photo.jpg"):
        assert f"Previews: could not delete {name} from storage" in caplog.text
    assert "OSError: read-only file system" in caplog.text


# Replaced with their files


@pytest.mark.django_db(transaction=True)
def test_replacing_the_file_replaces_its_previews(anywhere):
    uploaded("old.jpg", PHOTO)
    row = UploadedFile.objects.get()  # as the admin has it: loaded from the database

    row.file = SimpleUploadedFile("new.png", pictures.transparent_png())
    row.save()

    assert anywhere.names() == {"new.png", *previews_of("new.png", anywhere)}
    assert Preview.objects.get().name == "new.png"


@pytest.mark.django_db(transaction=True)
def test_replacing_an_image_with_another_kind_deletes_its_previews(stored):
    uploaded("photo.jpg", PHOTO)
    row = UploadedFile.objects.get()

    row.file = SimpleUploadedFile("report.pdf", PDF)
    row.save()

    assert stored.names() == {"report.pdf"}
    assert not Preview.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_replacement_keeps_the_old_previews(stored):
    uploaded("old.jpg", PHOTO)
    row = UploadedFile.objects.get()

    with rolled_back():
        row.file = SimpleUploadedFile("new.jpg", PHOTO)
        row.save()

    assert previews_of("old.jpg") <= stored.names()
    assert not previews_of("new.jpg") & stored.names()
    assert Preview.objects.get().name == "old.jpg"


@pytest.mark.django_db(transaction=True)
def test_previews_made_for_a_row_deleted_meanwhile_are_discarded(stored):
    """The previews are made after the commit: the row may be gone by the time they are stored.

    Its deletion's own commit found none to delete; these must not stay.
    """
    row = uploaded("report.pdf", PDF)
    stored.put("photo.jpg", PHOTO)
    field = UploadedFile._meta.get_field("file")

    signals.update(UploadedFile, row.pk + 1, field, "photo.jpg", "default")  # no such row
    signals.update(UploadedFile, row.pk, field, "photo.jpg", "default")  # names another file

    assert stored.names() == {"report.pdf", "photo.jpg"}
    assert not Preview.objects.exists()


# Which models


def test_every_model_with_a_file_field_and_only_those_has_its_previews_made_and_deleted():
    with_files = {model for model in apps.get_models() if signals.file_fields(model)}
    connected = {
        model
        for model in apps.get_models()
        if signals.file_saved in receivers(post_save, model)
        and signals.row_deleted in receivers(post_delete, model)
    }

    assert UploadedFile in with_files
    assert connected == with_files


def receivers(signal, sender):
    synchronous, _ = signal._live_receivers(sender)
    return synchronous


# In the admin, as a user does it


@pytest.mark.django_db
def test_an_upload_in_the_admin_gets_previews(
    admin_client, stored, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_upload(admin_client, "photo.jpg", PHOTO).status_code == 302

    assert stored.names() == {"photo.jpg", *previews_of("photo.jpg")}


@pytest.mark.django_db
def test_deleting_in_the_admin_deletes_the_previews(
    admin_client, stored, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_upload(admin_client, "photo.jpg", PHOTO)
    row = UploadedFile.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{CHANGELIST}{row.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert stored.names() == set()
    assert not Preview.objects.exists()


@pytest.mark.django_db
def test_the_admin_s_bulk_delete_deletes_the_previews(
    admin_client, stored, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("one.jpg", "two.jpg", "keep.jpg"):
            admin_upload(admin_client, name, PHOTO)
    chosen = UploadedFile.objects.exclude(file="keep.jpg").values_list("pk", flat=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": list(chosen), "post": "yes"},
        )

    assert response.status_code == 302
    assert stored.names() == {"keep.jpg", *previews_of("keep.jpg")}


@pytest.mark.django_db
@pytest.mark.skipif(
    not apps.is_installed("directuploads"), reason="the directuploads app is not installed"
)
def test_a_photo_sent_straight_to_the_bucket_gets_previews(
    admin_client, s3_bucket, django_capture_on_commit_callbacks
):
    api = direct_client.TestClientApi(admin_client)
    token = direct_client.upload(api, "photo.jpg", PHOTO)

    with django_capture_on_commit_callbacks(execute=True):
        assert api.save(token).status_code == 302

    assert Bucket(s3_bucket).names() == {"photo.jpg", *previews_of("photo.jpg")}
