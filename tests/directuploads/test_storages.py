"""The parts in which a direct upload goes up: never too small, never more than a store takes."""

import os
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests

from directuploads.storages import part_count, part_size
from tests.helpers import direct as direct_client

MiB = 1024 * 1024
GiB = 1024 * MiB
FILE = os.urandom(1000)


@pytest.mark.parametrize(
    ("size", "expected_size", "expected_count"),
    [
        (0, 8 * MiB, 1),  # an empty file is one empty part
        (1, 8 * MiB, 1),
        (20 * MiB, 8 * MiB, 3),  # boto3's part size, above S3's 5 MiB minimum
        (GiB, 8 * MiB, 128),
        (80 * GiB, 9 * MiB, 9103),  # S3 takes at most 10,000 parts
        (1000 * GiB, 103 * MiB, 9942),
    ],
)
def test_a_file_goes_up_in_parts_of_the_size_its_size_calls_for(
    size, expected_size, expected_count
):
    assert (part_size(size), part_count(size)) == (expected_size, expected_count)


@pytest.mark.parametrize("size", [5 * GiB + 1, 80 * GiB + 1, 5 * 1024 * GiB])
def test_no_file_needs_more_parts_than_s3_takes(size):
    assert part_count(size) <= 10_000
    assert part_size(size) * part_count(size) >= size


# What a browser holds of an Azure upload changes nothing once the upload has ended


@pytest.fixture
def azure_upload(admin_client, azure_container):
    """An upload of FILE, completed and saved, and the SAS URL its browser still holds."""
    api = direct_client.TestClientApi(admin_client)
    started = direct_client.start(api, "report.pdf", len(FILE))
    signed = direct_client.sign(api, started, FILE, [1])
    direct_client.send(api, started, FILE)
    status, completed = api.post(started["urls"]["complete"], {})
    assert status == 200, completed
    assert api.save(completed["token"]).status_code == 302
    return SimpleNamespace(url=signed["urls"]["1"], container=azure_container, api=api)


def sas_of(held_url):
    """The SAS a browser holds, from a part's URL: the query without the block's parameters."""
    query = urlsplit(held_url).query
    return "&".join(p for p in query.split("&") if not p.startswith(("comp=", "blockid=")))


def stored(container):
    blob = container.client.get_blob_client("report.pdf")
    return blob.download_blob().readall(), blob.get_blob_properties().content_settings.content_type


def test_a_held_sas_replaces_nothing_stored_and_serves_nothing(azure_upload):
    before = stored(azure_upload.container)
    staged_blob = azure_upload.url.partition("?")[0]
    stored_blob = azure_upload.container.client.get_blob_client("report.pdf").url
    sas, page = sas_of(azure_upload.url), b"<script>alert(document.domain)</script>"
    whole_blob = {"x-ms-blob-type": "BlockBlob", "x-ms-blob-content-type": "text/html"}

    written = requests.put(f"{staged_blob}?{sas}", data=page, headers=whole_blob, timeout=10)
    aimed = requests.put(f"{stored_blob}?{sas}", data=page, headers=whole_blob, timeout=10)
    retyped = requests.put(
        f"{stored_blob}?{sas}&comp=properties",
        headers={"x-ms-blob-content-type": "image/svg+xml"},
        timeout=10,
    )

    assert before == (FILE, "application/pdf")
    assert written.status_code == 201  # valid for minutes, and cannot be taken back...
    assert (aimed.status_code, retyped.status_code) == (403, 403)  # ...but names no other blob
    assert stored(azure_upload.container) == before
    # What it wrote stays in the private container, served to nobody.
    assert requests.get(staged_blob, timeout=10).status_code in (403, 404)
