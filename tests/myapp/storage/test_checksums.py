"""Telling whether a folder, a bucket on a real S3 server and an Azurite container hold the same
bytes, and which of them had to be read to tell."""

import base64
import hashlib
import io
import os

import pytest

from myapp.storage import transfer
from myapp.storage.checksums import Digest, identical, part_size
from tests.helpers.copies import fill_bucket, fill_folder, folder_dsn, listed_side, upload_in_parts

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

BIG = os.urandom(part_size() + 12345)  # two parts when uploaded to S3
MiB = 1024 * 1024


@pytest.fixture
def reads(monkeypatch):
    """The kinds of storage whose files are read (hashed) to tell."""
    read = []
    digest = transfer.Side.digest

    def counting(side, *args, **kwargs):
        read.append(type(side).__name__)
        return digest(side, *args, **kwargs)

    monkeypatch.setattr(transfer.Side, "digest", counting)
    return read


def test_a_digest_has_the_md5_and_the_etag_s3_gives_the_bytes_uploaded_in_parts(s3_bucket):
    etag = upload_in_parts(s3_bucket, "big.bin", BIG, part_size())
    digest = Digest(part_size()).read(io.BytesIO(BIG))
    assert digest.etag() == etag
    assert digest.md5() == hashlib.md5(BIG, usedforsecurity=False).hexdigest()


def folder_and_bucket(tmp_path, bucket, content, parts=None):
    """The same name in a folder and in a bucket (uploaded in parts of ``parts``, by default
    the project's part size), listed."""
    fill_folder(tmp_path, {"f.bin": content})
    upload_in_parts(bucket, "f.bin", content, parts or part_size())
    return listed_side(folder_dsn(tmp_path)), listed_side(bucket.dsn)


def test_a_multipart_object_is_compared_without_downloading_it(s3_bucket, tmp_path, reads):
    folder, bucket = folder_and_bucket(tmp_path, s3_bucket, BIG)
    assert identical(folder, bucket, "f.bin")
    assert identical(bucket, folder, "f.bin")
    assert reads == ["Folder", "Folder"]


def test_a_small_object_is_compared_by_its_etag(s3_bucket, tmp_path, reads):
    folder, bucket = folder_and_bucket(tmp_path, s3_bucket, b"small")
    assert identical(folder, bucket, "f.bin")
    assert reads == ["Folder"]


def test_same_size_other_bytes_are_told_apart(s3_bucket, tmp_path):
    folder, bucket = folder_and_bucket(tmp_path, s3_bucket, BIG)
    (tmp_path / "f.bin").write_bytes(BIG[:-1] + bytes([BIG[-1] ^ 1]))
    assert not identical(folder, bucket, "f.bin")
    assert not identical(bucket, folder, "f.bin")


@pytest.mark.parametrize(
    ("size", "reads_of_the_folder"),
    [
        (12 * MiB, 1),  # 3 parts of 5 MiB, 2 of ours: the part size is asked for at once
        (9 * MiB, 2),  # 2 parts of 5 MiB, 2 of ours too: hashed in ours, then in its own
    ],
)
def test_an_object_in_parts_of_another_size_is_found_identical(
    s3_bucket, tmp_path, reads, size, reads_of_the_folder
):
    folder, bucket = folder_and_bucket(tmp_path, s3_bucket, os.urandom(size), 5 * MiB)
    assert identical(folder, bucket, "f.bin")
    assert reads == ["Folder"] * reads_of_the_folder


def test_two_objects_in_parts_of_other_sizes_are_compared_by_reading_one(s3_server, reads):
    content = os.urandom(12 * MiB)
    mine, theirs = s3_server.new_bucket(), s3_server.new_bucket()
    upload_in_parts(mine, "f.bin", content, 5 * MiB)
    upload_in_parts(theirs, "f.bin", content, 6 * MiB)
    assert identical(listed_side(mine.dsn), listed_side(theirs.dsn), "f.bin")
    assert reads == ["Bucket"]


def test_two_objects_in_parts_of_one_size_are_told_apart_by_their_etags(s3_server, reads):
    mine, theirs = s3_server.new_bucket(), s3_server.new_bucket()
    content = os.urandom(12 * MiB)
    upload_in_parts(mine, "f.bin", content, 5 * MiB)
    upload_in_parts(theirs, "f.bin", content[::-1], 5 * MiB)
    assert not identical(listed_side(mine.dsn), listed_side(theirs.dsn), "f.bin")
    assert reads == []


def test_the_md5_rclone_records_with_an_object_is_used(s3_server, reads):
    content = os.urandom(12 * MiB)
    mine, theirs = s3_server.new_bucket(), s3_server.new_bucket()
    fill_bucket(mine, {"f.bin": content})
    md5 = hashlib.md5(content, usedforsecurity=False).digest()
    theirs.client.upload_fileobj(
        io.BytesIO(content),
        theirs.name,
        "f.bin",
        ExtraArgs={"Metadata": {"md5chksum": base64.b64encode(md5).decode()}},
    )
    assert identical(listed_side(mine.dsn), listed_side(theirs.dsn), "f.bin")
    assert reads == []


def test_files_without_checksums_are_both_read(tmp_path, reads):
    fill_folder(tmp_path / "a", {"f.bin": b"same"})
    fill_folder(tmp_path / "b", {"f.bin": b"same"})
    assert identical(
        listed_side(folder_dsn(tmp_path / "a")), listed_side(folder_dsn(tmp_path / "b")), "f.bin"
    )
    assert reads == ["Folder", "Folder"]


def test_a_blob_is_compared_by_the_md5_the_service_keeps(azurite, tmp_path, reads):
    container = azurite.new_container()
    container.client.upload_blob("f.bin", b"small")
    fill_folder(tmp_path, {"f.bin": b"small"})
    assert identical(listed_side(container.dsn), listed_side(folder_dsn(tmp_path)), "f.bin")
    assert reads == ["Folder"]
