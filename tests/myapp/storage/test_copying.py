"""Copying every file of a storage into another, several at a time, each thread with its own
clients, against a real S3 server and Azurite."""

import threading

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django_storage_url import get_storage

from myapp.storage import copying
from myapp.storage.backends import SharedModelsMixin
from myapp.storage.buckets import Bucket
from myapp.storage.containers import Container
from myapp.storage.folders import Folder
from tests.helpers import s3
from tests.helpers.copies import fill_bucket, fill_folder, folder_dsn, in_bucket, listed_side

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

FILES = {f"f{number:02}.txt": f"file {number}".encode() * number for number in range(12)}


def test_each_kind_of_storage_has_its_side(s3_bucket, azurite, tmp_path):
    assert isinstance(copying.open_side(get_storage(s3_bucket.dsn)), Bucket)
    assert isinstance(copying.open_side(get_storage(azurite.new_container().dsn)), Container)
    assert isinstance(copying.open_side(get_storage(folder_dsn(tmp_path))), Folder)


def folder_and_bucket(tmp_path, bucket, files=FILES):
    fill_folder(tmp_path, files)
    return listed_side(folder_dsn(tmp_path)), listed_side(bucket.dsn)


def test_as_many_files_as_jobs_are_on_their_way_at_once(s3_bucket, tmp_path, monkeypatch):
    # Every write waits until two others are under way too: with fewer at once, it times out.
    together = threading.Barrier(3, timeout=30)
    write = Bucket.write

    def write_with_two_others(side, *args):
        together.wait()
        return write(side, *args)

    monkeypatch.setattr(Bucket, "write", write_with_two_others)
    source, destination = folder_and_bucket(tmp_path, s3_bucket)
    outcomes = list(copying.copy_files(source, destination, list(FILES)[:6], jobs=3))
    assert [outcome.error for outcome in outcomes] == [None] * 6
    assert len(in_bucket(s3_bucket)) == 6


def test_each_thread_makes_one_client_per_storage_and_keeps_it(s3_server, monkeypatch):
    made = []
    create_session = SharedModelsMixin._create_session

    def counted(storage):
        made.append((threading.current_thread().name, id(storage)))
        return create_session(storage)

    monkeypatch.setattr(SharedModelsMixin, "_create_session", counted)
    source, destination = s3_server.new_bucket(), s3_server.new_bucket()
    fill_bucket(source, FILES)
    mine = listed_side(source.dsn)
    # Other credentials: copied through this process, read from one storage, written to another.
    theirs = listed_side(destination.dsn.replace(s3.KEY, "AKIDOTHEROTHEROTH"))
    list(copying.copy_files(mine, theirs, list(FILES), jobs=3))
    assert in_bucket(destination) == FILES
    # The main thread lists each; each of the 3 threads reads from one and writes to the other.
    assert len(made) == len(set(made))
    assert len(made) <= 2 + 2 * 3


def test_each_file_ends_copied_skipped_or_failed(s3_bucket, tmp_path):
    fill_bucket(s3_bucket, {"same.txt": b"same"})
    fill_folder(tmp_path / "media", {"new.txt": b"new", "same.txt": b"same"})
    source = listed_side(folder_dsn(tmp_path / "media"))
    source.files["../outside.txt"] = source.files["new.txt"]
    outcomes = {
        outcome.name: outcome
        for outcome in copying.copy_files(source, listed_side(s3_bucket.dsn), list(source.files))
    }
    assert outcomes["new.txt"] == copying.Outcome("new.txt", True)
    assert outcomes["same.txt"] == copying.Outcome("same.txt", False)
    assert isinstance(outcomes["../outside.txt"].error, SuspiciousFileOperation)


def test_the_largest_files_go_first(s3_bucket, tmp_path, monkeypatch):
    started = []
    write = Bucket.write
    monkeypatch.setattr(
        Bucket, "write", lambda side, name, *args: started.append(name) or write(side, name, *args)
    )
    source, destination = folder_and_bucket(tmp_path, s3_bucket)
    list(copying.copy_files(source, destination, list(FILES), jobs=1))
    assert started == sorted(FILES, key=lambda name: len(FILES[name]), reverse=True)


@pytest.mark.parametrize("jobs", [1, 4])
def test_every_file_arrives_whatever_the_jobs(s3_bucket, tmp_path, jobs):
    source, destination = folder_and_bucket(tmp_path, s3_bucket)
    list(copying.copy_files(source, destination, list(FILES), jobs=jobs))
    assert in_bucket(s3_bucket) == FILES
