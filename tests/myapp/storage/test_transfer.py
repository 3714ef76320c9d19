"""What every kind of storage promises as the side a copy writes to: exact names, and never a
partial file, in a folder, a bucket on a real S3 server and an Azurite container alike."""

import io
import os

import pytest

from myapp.storage.checksums import part_size
from myapp.storage.transfer import Listed, Side
from tests.helpers.copies import (
    fill_folder,
    folder_dsn,
    in_bucket,
    in_container,
    in_folder,
    listed_side,
)
from tests.helpers.stores import Bucket

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

BIG = os.urandom(part_size() + 12345)  # more than one part


@pytest.fixture(params=["folder", "bucket", "container"])
def destination(request, tmp_path):
    """``(its DSN, what it holds)`` of an empty storage of each kind; a bucket's uploads begun and
    never completed count, as ``NAME (upload in progress)``."""
    if request.param == "folder":
        (tmp_path / "copy").mkdir()
        return folder_dsn(tmp_path / "copy"), lambda: in_folder(tmp_path / "copy")
    if request.param == "bucket":
        bucket = request.getfixturevalue("s3_server").new_bucket()
        uploads = Bucket(bucket).names

        def stored():
            return {**in_bucket(bucket), **{name: None for name in uploads() if "(" in name}}

        return bucket.dsn, stored
    container = request.getfixturevalue("azurite").new_container()
    return container.dsn, lambda: in_container(container)


class BrokenStream(io.RawIOBase):
    """A source that gives its first 1,000 bytes, then fails, as a connection that drops."""

    def __init__(self):
        self.given = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.given:
            raise ConnectionResetError("the connection dropped")
        self.given = min(len(buffer), 1000)
        buffer[: self.given] = BIG[: self.given]
        return self.given


class BrokenSource(Side):
    """A storage whose one file, a.bin, cannot be read to its end."""

    def list_files(self):
        return {"a.bin": Listed(len(BIG))}

    def open(self, name):
        return BrokenStream()


def test_a_write_that_fails_half_way_leaves_the_old_file_whole(destination, tmp_path):
    dsn, stored = destination
    fill_folder(tmp_path / "old", {"a.bin": b"old"})
    listed_side(dsn).write("a.bin", listed_side(folder_dsn(tmp_path / "old")), lambda size: None)
    source = BrokenSource(None)
    source.list()
    with pytest.raises(ConnectionResetError):
        listed_side(dsn).write("a.bin", source, lambda size: None)
    assert stored() == {"a.bin": b"old"}


def test_a_write_replaces_a_file_of_the_same_name_keeping_its_name(destination, tmp_path):
    dsn, stored = destination
    for content in (b"old", b"new"):
        fill_folder(tmp_path / "source", {"a.txt": content})
        source = listed_side(folder_dsn(tmp_path / "source"))
        listed_side(dsn).write("a.txt", source, lambda size: None)
    assert stored() == {"a.txt": b"new"}
