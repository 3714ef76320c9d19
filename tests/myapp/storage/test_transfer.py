"""Listing, comparing and writing the files of a folder and of a bucket on a real S3 server."""

import io
import os

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django_storage_url import get_storage

from myapp.storage import transfer

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

BIG = os.urandom(transfer.s3_part_size() + 12345)  # two parts when uploaded to S3


def test_digests_include_the_etag_s3_gives_a_multipart_upload(s3_bucket):
    storage = get_storage(s3_bucket.dsn)
    storage.save("big.bin", ContentFile(BIG))
    etag = transfer.list_files(storage)["big.bin"].etag
    assert etag.endswith("-2")
    assert etag in transfer.digests(io.BytesIO(BIG))


def test_a_listing_of_a_bucket_has_every_file_with_size_and_checksum(s3_bucket):
    storage = get_storage(s3_bucket.dsn + "/prefix")
    storage.save("a.txt", ContentFile(b"hello"))
    storage.save("sub/b.txt", ContentFile(b""))
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key="prefix/folder/", Body=b"")
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key="outside.txt", Body=b"x")
    assert transfer.list_files(storage) == {
        "a.txt": transfer.Listed(5, "5d41402abc4b2a76b9719d911017c592"),
        "sub/b.txt": transfer.Listed(0, "d41d8cd98f00b204e9800998ecf8427e"),
    }


def test_a_listing_of_a_folder_has_every_file_with_its_size(tmp_path):
    storage = get_storage(f"file://{tmp_path}/?url=%2Fm%2F")
    storage.save("a.txt", ContentFile(b"hello"))
    storage.save("x/y/b.txt", ContentFile(b"hi"))
    assert transfer.list_files(storage) == {
        "a.txt": transfer.Listed(5),
        "x/y/b.txt": transfer.Listed(2),
    }


def sides(bucket, tmp_path, content):
    """The same name in a folder and in a bucket, ``content`` in both."""
    folder = get_storage(f"file://{tmp_path}/?url=%2Fm%2F")
    bucket_storage = get_storage(bucket.dsn)
    for storage in (folder, bucket_storage):
        storage.save("f.bin", ContentFile(content))
    return (
        transfer.Side(folder, transfer.list_files(folder)),
        transfer.Side(bucket_storage, transfer.list_files(bucket_storage)),
    )


@pytest.fixture
def reads(monkeypatch):
    """The storages whose files ``identical`` reads."""
    read = []
    open_stream = transfer.open_stream

    def counting(storage, name):
        read.append(type(storage).__name__)
        return open_stream(storage, name)

    monkeypatch.setattr(transfer, "open_stream", counting)
    return read


def test_a_multipart_object_is_compared_without_downloading_it(s3_bucket, tmp_path, reads):
    folder, bucket = sides(s3_bucket, tmp_path, BIG)
    assert transfer.identical(folder, bucket, "f.bin")
    assert transfer.identical(bucket, folder, "f.bin")
    assert reads == ["FileSystemStorage", "FileSystemStorage"]


def test_same_size_other_bytes_are_told_apart(s3_bucket, tmp_path):
    folder, bucket = sides(s3_bucket, tmp_path, BIG)
    changed = BIG[:-1] + bytes([BIG[-1] ^ 1])
    bucket.storage.delete("f.bin")
    bucket.storage.save("f.bin", ContentFile(changed))
    bucket.files = transfer.list_files(bucket.storage)
    assert not transfer.identical(folder, bucket, "f.bin")
    assert not transfer.identical(bucket, folder, "f.bin")


def test_a_small_object_is_compared_by_its_etag(s3_bucket, tmp_path, reads):
    folder, bucket = sides(s3_bucket, tmp_path, b"small")
    assert transfer.identical(folder, bucket, "f.bin")
    assert reads == ["FileSystemStorage"]


class BrokenStream(io.BytesIO):
    """A source that fails half-way, as a connection that drops."""

    def read(self, size=-1):
        if self.tell():
            raise ConnectionResetError("the connection dropped")
        return super().read(min(size, 1000) if size > 0 else 1000)


def test_a_write_into_a_folder_that_fails_half_way_leaves_the_old_file_whole(tmp_path):
    storage = get_storage(f"file://{tmp_path}/?url=%2Fm%2F")
    storage.save("sub/a.bin", ContentFile(b"old"))
    with pytest.raises(ConnectionResetError):
        transfer.write(storage, "sub/a.bin", File(BrokenStream(BIG), "a.bin"))
    assert os.listdir(tmp_path / "sub") == ["a.bin"]
    assert (tmp_path / "sub" / "a.bin").read_bytes() == b"old"


def test_a_write_into_a_bucket_that_fails_half_way_leaves_the_old_object_whole(s3_bucket):
    storage = get_storage(s3_bucket.dsn)
    storage.save("a.bin", ContentFile(b"old"))
    with pytest.raises(ConnectionResetError):
        transfer.write(storage, "a.bin", File(BrokenStream(BIG), "a.bin"))
    assert s3_bucket.client.get_object(Bucket=s3_bucket.name, Key="a.bin")["Body"].read() == b"old"


@pytest.mark.parametrize("scheme", ["file", "s3"])
def test_a_write_replaces_a_file_of_the_same_name_keeping_its_name(scheme, s3_bucket, tmp_path):
    storage = get_storage(s3_bucket.dsn if scheme == "s3" else f"file://{tmp_path}/?url=%2Fm%2F")
    storage.save("a.txt", ContentFile(b"old"))
    transfer.write(storage, "a.txt", ContentFile(b"new"))
    assert sorted(transfer.list_files(storage)) == ["a.txt"]
    with storage.open("a.txt", "rb") as file:
        assert file.read() == b"new"


def test_a_listing_of_a_container_has_every_blob_with_its_size(azure_container):
    default_storage.save("a.txt", ContentFile(b"hello"))
    default_storage.save("x/y/b.txt", ContentFile(b""))
    azure_container.client.upload_blob("folder/", b"")  # a folder marker, as tools make them
    assert transfer.list_files(default_storage) == {
        "a.txt": transfer.Listed(5),
        "x/y/b.txt": transfer.Listed(0),
    }
