"""A container of a real Azure Blob server (Azurite) as either side of a copy: its listing,
blobs sent in blocks with their MD5, copies within the account made by the service."""

import hashlib
import os
from urllib.parse import parse_qs, urlparse

import pytest
from azure.core.exceptions import ResourceModifiedError
from azure.storage.blob import BlobProperties
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from myapp.storage import containers
from myapp.storage.checksums import identical, part_size
from tests.helpers.copies import (
    fill_folder,
    folder_dsn,
    in_container,
    in_folder,
    listed_side,
    upload_in_parts,
)
from tests.helpers.traffic import record_traffic

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
LARGE = os.urandom(part_size() + 12345)  # more than one block


def md5(content):
    return hashlib.md5(content, usedforsecurity=False).hexdigest()


def copy(source, destination, name):
    counted = []
    destination.write(name, source, counted.append)
    return sum(counted)


def test_a_listing_has_every_blob_with_its_size_and_md5(azure_container):
    default_storage.save("a.txt", ContentFile(b"hello"))
    default_storage.save("x/y/b.txt", ContentFile(b""))
    azure_container.client.upload_blob("folder/", b"")  # a folder marker, as tools make them
    files = listed_side(azure_container.dsn).files
    assert sorted(files) == ["a.txt", "x/y/b.txt"]
    assert files["a.txt"].checksums == {md5(b"hello")}


def test_a_blob_still_being_copied_has_no_checksum():
    blob = BlobProperties(
        name="f.bin",
        **{"x-ms-copy-status": "pending", "Content-MD5": bytearray(16), "metadata": {}},
    )
    assert containers.blob_checksums(blob) == frozenset()


def test_a_large_file_goes_up_in_blocks_with_its_md5(azurite, tmp_path, monkeypatch):
    container = azurite.new_container()
    fill_folder(tmp_path, {"large.bin": LARGE})
    traffic = record_traffic(monkeypatch)
    counted = copy(listed_side(folder_dsn(tmp_path)), listed_side(container.dsn), "large.bin")
    blocks = [request for request in traffic if "comp=block&" in request.url]
    assert len(blocks) == 2
    assert counted == len(LARGE)
    assert in_container(container) == {"large.bin": LARGE}
    assert listed_side(container.dsn).files["large.bin"].checksums == {md5(LARGE)}


def test_a_copy_within_the_account_is_made_by_the_service(azurite, monkeypatch):
    source, destination = azurite.new_container(), azurite.new_container()
    source.client.upload_blob("large.bin", LARGE)
    mine, theirs = listed_side(source.dsn), listed_side(destination.dsn)
    traffic = record_traffic(monkeypatch)
    counted = copy(mine, theirs, "large.bin")
    assert traffic.bytes() < MiB
    assert len(traffic.with_header("x-ms-copy-source")) == 1
    assert counted == len(LARGE)
    assert in_container(destination) == {"large.bin": LARGE}


def test_the_service_reads_the_source_of_a_copy_with_a_sas_of_its_own(azurite):
    source = azurite.new_container()
    source.client.upload_blob("f.bin", b"f")
    query = parse_qs(urlparse(listed_side(source.dsn).readable_url("f.bin")).query)
    assert query["sp"] == ["r"]


def test_a_copy_of_an_s3_object_in_parts_records_its_etag(s3_bucket, azurite, monkeypatch):
    container = azurite.new_container()
    etag = upload_in_parts(s3_bucket, "large.bin", LARGE, 5 * MiB)
    copy(listed_side(s3_bucket.dsn), listed_side(container.dsn), "large.bin")
    listed = listed_side(container.dsn).files["large.bin"]
    assert listed.checksums == {md5(LARGE), etag}
    monkeypatch.setattr(containers.Container, "digest", None)  # reading would fail
    assert identical(listed_side(s3_bucket.dsn), listed_side(container.dsn), "large.bin")


def test_a_large_blob_is_downloaded_in_parallel_parts(azurite, tmp_path):
    container = azurite.new_container()
    container.client.upload_blob("large.bin", LARGE)
    (tmp_path / "copy").mkdir()
    counted = copy(
        listed_side(container.dsn), listed_side(folder_dsn(tmp_path / "copy")), "large.bin"
    )
    assert counted == len(LARGE)
    assert in_folder(tmp_path / "copy") == {"large.bin": LARGE}


@pytest.mark.parametrize("destination", ["folder", "container"])
def test_a_blob_replaced_since_it_was_listed_is_not_copied(azurite, tmp_path, destination):
    source = azurite.new_container()
    source.client.upload_blob("f.bin", b"listed")
    mine = listed_side(source.dsn)
    source.client.upload_blob("f.bin", b"replaced", overwrite=True)
    theirs = azurite.new_container().dsn if destination == "container" else folder_dsn(tmp_path)
    with pytest.raises(ResourceModifiedError):
        copy(mine, listed_side(theirs), "f.bin")
