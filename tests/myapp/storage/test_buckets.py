"""A bucket of a real S3 server (moto on loopback) as either side of a copy: its listing, copies
within the endpoint made by S3 itself, parts that keep ETags, one client per thread."""

import os
import threading

import pytest
from azure.storage.blob import ContentSettings
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django_storage_url import get_storage

from myapp.storage import buckets
from myapp.storage.checksums import identical
from myapp.storage.transfer import CopyError, Listed
from tests.helpers import s3
from tests.helpers.copies import (
    fill_bucket,
    folder_dsn,
    in_bucket,
    in_folder,
    listed_side,
    upload_in_parts,
)
from tests.helpers.stores import Bucket
from tests.helpers.traffic import record_traffic

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
LARGE = os.urandom(12 * MiB)


def other_credentials(bucket):
    """The bucket's DSN with another access key: moto takes any, copymedia sees another user."""
    return bucket.dsn.replace(s3.KEY, "AKIDOTHEROTHEROTH")


def test_a_listing_has_every_object_under_the_prefix_with_size_and_checksum(s3_bucket):
    storage = get_storage(s3_bucket.dsn + "/prefix")
    storage.save("a.txt", ContentFile(b"hello"))
    storage.save("sub/b.txt", ContentFile(b""))
    fill_bucket(s3_bucket, {"prefix/folder/": b"", "outside.txt": b"x"})
    etag = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key="prefix/a.txt")["ETag"]
    files = listed_side(s3_bucket.dsn + "/prefix").files
    assert sorted(files) == ["a.txt", "sub/b.txt"]
    assert files["a.txt"] == Listed(5, frozenset({"5d41402abc4b2a76b9719d911017c592"}), etag)


def copy(source, destination, name):
    """Copy ``name`` between two Sides; return the bytes counted by the progress callback."""
    counted = []
    destination.write(name, source, counted.append)
    return sum(counted)


def test_a_copy_within_the_endpoint_is_made_by_s3(s3_server, monkeypatch):
    source, destination = s3_server.new_bucket(), s3_server.new_bucket()
    upload_in_parts(source, "photo.jpg", LARGE, 5 * MiB)
    mine, theirs = listed_side(source.dsn), listed_side(destination.dsn)
    traffic = record_traffic(monkeypatch)
    counted = copy(mine, theirs, "photo.jpg")
    assert traffic.bytes() < MiB
    assert len(traffic.with_header("x-amz-copy-source")) == 1  # one CopyObject
    assert counted == len(LARGE)
    assert in_bucket(destination) == {"photo.jpg": LARGE}


def test_a_copy_within_the_endpoint_gets_the_content_type_of_its_name(s3_server):
    source, destination = s3_server.new_bucket(), s3_server.new_bucket()
    source.client.put_object(Bucket=source.name, Key="a.pdf", Body=b"%PDF", ContentType="x/y")
    copy(listed_side(source.dsn), listed_side(destination.dsn), "a.pdf")
    head = destination.client.head_object(Bucket=destination.name, Key="a.pdf")
    assert head["ContentType"] == "application/pdf"


def test_a_copy_of_a_multipart_object_is_found_identical_without_reading(s3_server, monkeypatch):
    source, destination = s3_server.new_bucket(), s3_server.new_bucket()
    upload_in_parts(source, "large.bin", LARGE, 5 * MiB)
    copy(listed_side(source.dsn), listed_side(destination.dsn), "large.bin")
    monkeypatch.setattr(buckets.Bucket, "digest", None)  # reading would fail
    assert identical(listed_side(source.dsn), listed_side(destination.dsn), "large.bin")


def test_an_object_too_large_for_one_copy_is_copied_in_its_own_parts(s3_server, monkeypatch):
    monkeypatch.setattr(buckets, "COPY_LIMIT", MiB)
    source, destination = s3_server.new_bucket(), s3_server.new_bucket()
    etag = upload_in_parts(source, "large.bin", LARGE, 5 * MiB)
    copy(listed_side(source.dsn), listed_side(destination.dsn), "large.bin")
    assert listed_side(destination.dsn).files["large.bin"].checksums == {etag}


def test_a_copy_to_other_credentials_is_streamed_in_the_sources_parts(s3_server, monkeypatch):
    source, destination = s3_server.new_bucket(), s3_server.new_bucket()
    etag = upload_in_parts(source, "large.bin", LARGE, 5 * MiB)
    mine, theirs = listed_side(source.dsn), listed_side(other_credentials(destination))
    traffic = record_traffic(monkeypatch)
    copy(mine, theirs, "large.bin")
    assert traffic.bytes() > 2 * len(LARGE)
    assert listed_side(destination.dsn).files["large.bin"].checksums == {etag}


@pytest.mark.parametrize(
    ("parts", "part_size"),
    [
        ([5 * MiB, 5 * MiB, MiB], 5 * MiB),
        ([5 * MiB, 5 * MiB, 5 * MiB, 6 * MiB], None),  # a last part larger than the others
    ],
)
def test_the_part_size_of_a_multipart_object_is_asked_of_s3(s3_bucket, parts, part_size):
    client, name = s3_bucket.client, s3_bucket.name
    upload = client.create_multipart_upload(Bucket=name, Key="f.bin")["UploadId"]
    sent = [
        {
            "PartNumber": number,
            "ETag": client.upload_part(
                Bucket=name, Key="f.bin", UploadId=upload, PartNumber=number, Body=os.urandom(size)
            )["ETag"],
        }
        for number, size in enumerate(parts, start=1)
    ]
    client.complete_multipart_upload(
        Bucket=name, Key="f.bin", UploadId=upload, MultipartUpload={"Parts": sent}
    )
    multipart = listed_side(s3_bucket.dsn).multipart("f.bin")
    assert (multipart.part_size if multipart else None) == part_size


def test_an_object_uploaded_whole_has_no_parts(s3_bucket):
    fill_bucket(s3_bucket, {"f.bin": b"whole"})
    assert listed_side(s3_bucket.dsn).multipart("f.bin") is None


def test_a_large_object_is_downloaded_in_ranges(s3_bucket, tmp_path, monkeypatch):
    monkeypatch.setattr(buckets, "RANGES_CUTOFF", MiB)
    fill_bucket(s3_bucket, {"large.bin": LARGE})
    (tmp_path / "copy").mkdir()
    copy(listed_side(s3_bucket.dsn), listed_side(folder_dsn(tmp_path / "copy")), "large.bin")
    assert in_folder(tmp_path / "copy") == {"large.bin": LARGE}


def test_each_thread_has_a_client_of_its_own_which_it_keeps(s3_bucket):
    bucket = listed_side(s3_bucket.dsn)
    clients = []
    thread = threading.Thread(target=lambda: clients.extend([bucket.client, bucket.client]))
    thread.start()
    thread.join()
    assert clients[0] is clients[1]
    assert clients[0] is not bucket.client


@pytest.mark.parametrize("destination", ["folder", "bucket"])
def test_an_object_replaced_since_it_was_listed_is_not_copied(s3_server, tmp_path, destination):
    source = s3_server.new_bucket()
    fill_bucket(source, {"f.bin": b"listed"})
    mine = listed_side(source.dsn)
    fill_bucket(source, {"f.bin": b"replaced"})
    theirs = (
        other_credentials(s3_server.new_bucket())
        if destination == "bucket"
        else folder_dsn(tmp_path)
    )
    with pytest.raises(ClientError, match=r"\(PreconditionFailed\)"):
        copy(mine, listed_side(theirs), "f.bin")


def test_a_copy_in_parts_of_a_blob_records_its_md5_and_is_found_identical(
    s3_bucket, azurite, monkeypatch
):
    container = azurite.new_container()
    container.client.upload_blob("large.bin", LARGE)  # Azure keeps its MD5
    copy(listed_side(container.dsn), listed_side(s3_bucket.dsn), "large.bin")
    assert listed_side(s3_bucket.dsn).multipart("large.bin")  # an ETag that is no MD5
    monkeypatch.setattr(buckets.Bucket, "digest", None)  # reading would fail
    assert identical(listed_side(container.dsn), listed_side(s3_bucket.dsn), "large.bin")


def test_a_source_without_the_md5_its_listing_gives_is_not_copied(s3_bucket, azurite):
    container = azurite.new_container()
    blob = container.client.upload_blob("large.bin", LARGE)
    blob.set_http_headers(ContentSettings(content_md5=bytearray(16)))  # a wrong one
    with pytest.raises(CopyError):
        copy(listed_side(container.dsn), listed_side(s3_bucket.dsn), "large.bin")
    assert Bucket(s3_bucket).names() == set()
