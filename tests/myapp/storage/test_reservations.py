"""Names held for uploads in progress (myapp/storage/reservations.py): in the database, so that
every process and instance sees them, on real storages (a folder, moto's S3 and Azurite)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection, transaction

from myapp.models import NameReservation
from myapp.storage.backends import open_storage
from myapp.storage.reservations import name_in_use, release, reserve
from uploader.models import UploadedFile

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

SIMULTANEOUS = 5


@pytest.fixture
def store(stored_anywhere):
    """The default storage as a user sees it: a folder, a bucket or a container."""
    return stored_anywhere


def test_a_held_name_is_not_given_again(store):
    first = reserve(default_storage, "report.pdf")
    second = reserve(default_storage, "report.pdf")

    assert first.name == "report.pdf"
    assert second.name != first.name
    assert second.name.startswith("report_")
    assert second.name.endswith(".pdf")


def test_a_name_stored_already_is_not_reserved(store):
    assert default_storage.save("report.pdf", ContentFile(b"stored long ago")) == "report.pdf"

    assert reserve(default_storage, "report.pdf").name != "report.pdf"


def test_an_upload_reserving_the_name_another_just_found_free_gets_another(store, monkeypatch):
    """Two uploads at once: the second reserves the name between the moment the first found it
    free and the moment the first reserves it."""
    storage = storages["default"]
    looked, second = storage.get_available_name, {}

    def look_while_another_reserves(name, max_length=None):
        found = looked(name, max_length=max_length)
        if "upload" not in second:
            second["upload"] = None  # its own look, inside this one, finds the name free too
            second["upload"] = reserve(storage, name)
        return found

    monkeypatch.setattr(storage, "get_available_name", look_while_another_reserves)

    first = reserve(storage, "report.pdf")

    assert second["upload"].name == "report.pdf"
    assert first.name != "report.pdf"
    assert first.name.startswith("report_")
    assert first.name.endswith(".pdf")


@pytest.mark.postgresql
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads writing at once need PostgreSQL: the tests' SQLite database in memory "
    "refuses a second writer at once (set DATABASE_URL; CI does)",
)
@pytest.mark.django_db(transaction=True)
def test_uploads_reserving_one_name_at_once_each_get_their_own(store, monkeypatch):
    """Each looks for a free name before any has reserved one: all of them find the same name
    free, and only the database tells them apart."""
    storage = storages["default"]
    looked = storage.get_available_name
    all_looked, waited = threading.Barrier(SIMULTANEOUS), threading.local()

    def look_then_wait_for_the_others(name, max_length=None):
        found = looked(name, max_length=max_length)
        if not getattr(waited, "once", False):
            waited.once = True
            all_looked.wait(timeout=30)
        return found

    monkeypatch.setattr(storage, "get_available_name", look_then_wait_for_the_others)

    def reserve_in_a_thread(_):
        try:
            return reserve(storage, "report.pdf").name
        finally:
            connection.close()

    with ThreadPoolExecutor(SIMULTANEOUS) as pool:
        names = list(pool.map(reserve_in_a_thread, range(SIMULTANEOUS)))

    assert len(set(names)) == SIMULTANEOUS
    assert "report.pdf" in names
    assert sorted(NameReservation.objects.values_list("name", flat=True)) == sorted(names)


def test_a_released_name_is_free_again(store):
    reservation = reserve(default_storage, "report.pdf")

    release(reservation)

    assert not NameReservation.objects.exists()
    assert reserve(default_storage, "report.pdf").name == "report.pdf"


def test_releasing_twice_changes_nothing(store):
    reservation = reserve(default_storage, "report.pdf")
    other = reserve(default_storage, "other.pdf")

    release(reservation)
    release(reservation)

    assert list(NameReservation.objects.values_list("name", flat=True)) == [other.name]


def test_a_name_that_cannot_be_released_is_logged_and_the_upload_goes_on(store, caplog):
    reservation = reserve(default_storage, "report.pdf")

    with transaction.atomic():
        transaction.set_rollback(True)  # the database refuses every query until the rollback
        release(reservation)

    assert "Could not release the name report.pdf reserved for an upload" in caplog.text


def test_a_file_saved_meanwhile_never_takes_a_held_name(stored_cloud):
    store = stored_cloud
    held = reserve(default_storage, "report.pdf")

    saved = default_storage.save("report.pdf", ContentFile(b"another file"))

    assert saved != held.name
    assert store.names() == {saved}  # the held name stays free for its upload
    release(held)
    assert default_storage.get_available_name("report.pdf") == "report.pdf"


def test_a_name_held_in_one_storage_is_free_in_another(s3_server, s3_bucket):
    other = open_storage(s3_server.new_bucket().dsn)
    reserve(default_storage, "report.pdf")

    assert reserve(other, "report.pdf").name == "report.pdf"


def test_a_name_is_in_use_where_a_row_names_it_in_that_storage(s3_server, s3_bucket):
    UploadedFile.objects.create(file="report.pdf", name="report.pdf")
    other = open_storage(s3_server.new_bucket().dsn)

    assert name_in_use(default_storage, "report.pdf")
    assert not name_in_use(default_storage, "other.pdf")
    assert not name_in_use(other, "report.pdf")
