"""The DSN in DEFAULT_STORAGE_DSN picks the storage behind default_storage."""

import re
import time
from types import SimpleNamespace
from urllib.parse import quote

import furl
import pytest
import requests
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_storage_url import get_storage
from storages.backends.s3 import S3Storage

from myapp.storage.backends import FileSystemStorage, open_storage
from myapp.storage.errors import STORAGE_ERRORS, describe
from tests.helpers import azurite, s3
from tests.helpers.admin import admin_link, admin_upload
from tests.helpers.files import read_stored, sha256, write_random_file
from tests.helpers.project import use_storage_dsn
from tests.helpers.relay import ChecksumRefusingRelay
from uploader.models import UploadedFile

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4\n" + bytes(range(256)) * 64


def test_a_file_dsn_stores_in_its_folder_and_serves_at_its_url(settings, tmp_path):
    use_storage_dsn(settings, f"file://{tmp_path}/uploads/?url=%2Ffiles%2F")
    assert isinstance(default_storage, FileSystemStorage)
    name = default_storage.save("hello.txt", ContentFile(b"hello"))
    assert (tmp_path / "uploads" / name).read_bytes() == b"hello"
    assert default_storage.url(name) == f"/files/{name}"


def test_a_file_dsn_path_is_decoded(settings, tmp_path):
    use_storage_dsn(settings, f"file://{tmp_path}/my%20project/media/?url=%2Fmedia%2F")
    name = default_storage.save("a.txt", ContentFile(b"a"))
    assert (tmp_path / "my project" / "media" / name).read_bytes() == b"a"
    assert f"{tmp_path}/my project/media/" == settings.MEDIA_ROOT


def test_an_s3_dsn_gives_an_s3_storage_for_its_bucket(settings):
    use_storage_dsn(settings, "s3://KEY:SECRET@media.s3-eu-central-1.amazonaws.com/?auth=s3v4")
    storage = default_storage
    assert isinstance(storage, S3Storage)
    assert storage.bucket_name == "media"
    assert storage.region_name == "eu-central-1"
    assert settings.MEDIA_ROOT == ""


# S3, against a real S3 server (moto) on loopback


@pytest.mark.parametrize(
    ("value", "bucket", "endpoint", "region", "url"),
    [
        (
            "s3://KEY:SECRET@my-app-media.s3-eu-central-1.amazonaws.com/?domain=my-app-media",
            "my-app-media",
            "https://s3-eu-central-1.amazonaws.com/",
            "eu-central-1",
            "https://my-app-media/a%20b.txt",
        ),
        (
            (
                "s3://KEY:SECRET@my-app.divio-media.org.s3.amazonaws.com/?auth=s3v4"
                "&domain=my-app.divio-media.org"
            ),
            "my-app.divio-media.org",
            "https://s3.amazonaws.com/",
            None,
            "https://my-app.divio-media.org/a%20b.txt",
        ),
        (
            "s3://KEY:SECRET@my-app-media.sos-ch-dk-2.exo.io/?auth=s3",
            "my-app-media",
            "https://sos-ch-dk-2.exo.io/",
            "ch-dk-2",
            "https://sos-ch-dk-2.exo.io/my-app-media/a%20b.txt",
        ),
        (
            "s3://KEY:SECRET@media.localhost/?auth=s3v4",
            "media",
            "https://localhost/",
            None,
            "https://localhost/media/a%20b.txt",
        ),
        (
            "s3+https://KEY:SECRET@r2.example.com/media/uploads?region=auto",
            "media",
            "https://r2.example.com",
            "auto",
            "https://r2.example.com/media/uploads/a%20b.txt",
        ),
        (
            "s3+http://KEY:SECRET@127.0.0.1:9000/media",
            "media",
            "http://127.0.0.1:9000",
            None,
            "http://127.0.0.1:9000/media/a%20b.txt",
        ),
    ],
)
def test_dsn_forms_give_their_bucket_endpoint_region_and_public_url(
    value, bucket, endpoint, region, url
):
    storage = get_storage(value)
    assert (storage.bucket_name, storage.endpoint_url, storage.region_name) == (
        bucket,
        endpoint,
        region,
    )
    assert storage.url("a b.txt") == url


@pytest.mark.parametrize(
    "value",
    [
        "s3://KEY:SECRET@media.s3.eu-west-1.amazonaws.com/uploads/?url=https%3A%2F%2Fcdn.example.com%2Fmedia%2F",
        "s3+https://KEY:SECRET@r2.example.com/media/uploads?url=https%3A%2F%2Fcdn.example.com%2Fmedia%2F",
        "s3+http://KEY:SECRET@127.0.0.1:9000/media/uploads?url=https%3A%2F%2Fcdn.example.com%2Fmedia",
    ],
)
def test_url_keeps_its_path_on_every_s3_scheme(value):
    assert get_storage(value).url("a.txt") == "https://cdn.example.com/media/uploads/a.txt"


@pytest.mark.django_db
def test_an_admin_upload_with_divios_literal_dsn_lands_in_the_bucket(
    admin_client, settings, s3_tls_server
):
    client = s3_tls_server.client()
    client.create_bucket(Bucket="media")
    use_storage_dsn(settings, "s3://KEY:SECRET@media.localhost/?auth=s3v4")

    assert admin_upload(admin_client, "report.pdf", CONTENT).status_code == 302

    uploaded = UploadedFile.objects.get()
    assert [o["Key"] for o in client.list_objects_v2(Bucket="media")["Contents"]] == [
        uploaded.file.name
    ]
    link = admin_link(admin_client, uploaded)
    assert link == f"https://localhost/media/{uploaded.file.name}"
    assert requests.get(link, timeout=10).content == CONTENT


@pytest.mark.django_db
def test_an_admin_upload_to_an_endpoint_on_a_custom_port(admin_client, s3_bucket, s3_server):
    assert admin_upload(admin_client, "report.pdf", CONTENT).status_code == 302

    uploaded = UploadedFile.objects.get()
    listed = s3_bucket.client.list_objects_v2(Bucket=s3_bucket.name)["Contents"]
    assert [o["Key"] for o in listed] == [uploaded.file.name]
    link = admin_link(admin_client, uploaded)
    assert link == f"{s3_server.endpoint}/{s3_bucket.name}/{uploaded.file.name}"
    assert requests.get(link, timeout=10).content == CONTENT


@pytest.mark.django_db
def test_two_uploads_with_the_same_name_both_survive(admin_client, stored):
    for content in (b"first version", b"second version"):
        assert admin_upload(admin_client, "report.txt", content).status_code == 302

    first, second = UploadedFile.objects.order_by("pk")
    assert first.file.name == "report.txt"
    assert second.file.name != "report.txt"
    assert [read_stored(upload.file) for upload in (first, second)] == [
        b"first version",
        b"second version",
    ]


def test_a_large_file_goes_up_in_parts_and_arrives_intact(s3_bucket, tmp_path):
    path = tmp_path / "large.bin"
    sent = write_random_file(path, 105)

    with path.open("rb") as file:
        name = default_storage.save("large.bin", File(file))

    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=name)
    assert head["ContentLength"] == 105 * 1024 * 1024
    assert int(head["ETag"].strip('"').rsplit("-", 1)[1]) > 1  # a multipart upload's ETag
    body = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=name)["Body"]
    assert sha256(body.iter_chunks(1024 * 1024)) == sent


def all_users_grants(bucket, name):
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=name)["Grants"]
    return [g["Permission"] for g in grants if g["Grantee"].get("URI", "").endswith("/AllUsers")]


def sent_acl_headers(storage):
    """The x-amz-acl headers of the storage's uploads, as they leave for the server."""
    sent = []
    storage.connection.meta.client.meta.events.register(
        "before-send.s3.PutObject",
        lambda request, **_: sent.append(request.headers.get("x-amz-acl")),
    )
    return sent


@pytest.mark.parametrize(
    ("query", "header", "public"),
    [("", b"public-read", ["READ"]), ("?acl=private", b"private", []), ("?acl=none", None, [])],
)
def test_acl_is_public_read_unless_the_dsn_says_otherwise(
    settings, moto_bucket, query, header, public
):
    # moto keeps each object's ACL and reports it; SeaweedFS reports the owner's alone.
    s3_bucket = moto_bucket
    use_storage_dsn(settings, s3_bucket.dsn + query)
    sent = sent_acl_headers(default_storage)
    name = default_storage.save("a.txt", ContentFile(b"a"))
    assert sent == [header]
    assert all_users_grants(s3_bucket, name) == public


def test_private_media_get_signed_urls_that_expire(settings, s3_bucket):
    use_storage_dsn(settings, s3_bucket.dsn + "?qs_auth=true&acl=private")
    name = default_storage.save("private.txt", ContentFile(b"for your eyes only"))

    url = furl.furl(default_storage.url(name))
    assert url.args["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert url.args["X-Amz-Credential"].startswith(f"{s3.KEY}/")
    assert url.args["X-Amz-Expires"] == "3600"
    assert re.fullmatch(r"[0-9a-f]{64}", url.args["X-Amz-Signature"])
    assert requests.get(url.url, timeout=10).content == b"for your eyes only"


def test_a_wrong_or_expired_signature_is_refused(settings, seaweedfs_bucket):
    # SeaweedFS checks signatures as AWS does; moto checks none.
    use_storage_dsn(settings, seaweedfs_bucket.dsn + "?qs_auth=true&acl=private")
    name = default_storage.save("private.txt", ContentFile(b"for your eyes only"))
    url = furl.furl(default_storage.url(name))
    forged = url.copy()
    forged.args["X-Amz-Signature"] = "0" * 64
    default_storage.querystring_expire = 1
    expiring = default_storage.url(name)

    time.sleep(2)

    assert requests.get(url.url, timeout=10).content == b"for your eyes only"
    assert requests.get(forged.url, timeout=10).status_code == 403
    assert requests.get(expiring, timeout=10).status_code == 403


def test_public_media_urls_carry_no_signature(s3_bucket):
    name = default_storage.save("public.txt", ContentFile(b"hello"))
    assert "?" not in default_storage.url(name)


# A storage that does not answer: each call fails within 15 s, saying why


@pytest.mark.parametrize("scheme", ["s3", "azure"])
def test_a_storage_that_never_answers_fails_each_call_within_15_seconds(silent_server, scheme):
    address = f"127.0.0.1:{silent_server.port}"
    dsn = (
        f"s3+http://KEY:SECRET@{address}/media"
        if scheme == "s3"
        else f"az+http://{azurite.ACCOUNT}:{quote(azurite.KEY, safe='')}@{address}/"
        f"{azurite.ACCOUNT}/media"
    )
    storage = open_storage(dsn)

    started = time.monotonic()
    with pytest.raises(STORAGE_ERRORS) as raised:
        storage.exists("report.pdf")
    elapsed = time.monotonic() - started

    assert elapsed < 15
    assert "did not answer" in describe(raised.value)


# A store that refuses boto3's default checksums (django-storages #1482): checksums=when_required


@pytest.fixture
def refusing_store(s3_bucket, s3_server):
    """The test's bucket behind a relay that refuses any request with a checksum header."""
    relay = ChecksumRefusingRelay(s3_server.endpoint)
    yield SimpleNamespace(
        relay=relay, dsn=s3_bucket.dsn.replace(s3_server.endpoint[7:], relay.endpoint[7:])
    )
    relay.close()


def test_a_store_refusing_checksums_is_named_with_the_fix(
    admin_client, settings, refusing_store, caplog
):
    use_storage_dsn(settings, refusing_store.dsn)

    admin_upload(admin_client, "report.pdf", CONTENT)

    assert "the store refuses boto3's checksums: add checksums=when_required" in caplog.text
    assert refusing_store.relay.refused
    assert not UploadedFile.objects.exists()


@pytest.mark.parametrize("size", [len(CONTENT), 9 * 1024 * 1024])  # whole, and in parts
def test_checksums_when_required_stores_in_a_store_that_refuses_them(
    admin_client, settings, s3_bucket, refusing_store, size
):
    use_storage_dsn(settings, refusing_store.dsn + "?checksums=when_required")
    content = (CONTENT * (size // len(CONTENT) + 1))[:size]

    response = admin_upload(admin_client, "report.pdf", content)

    assert response.status_code == 302
    uploaded = UploadedFile.objects.get()
    assert read_stored(uploaded.file) == content
    stored = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=uploaded.file.name)
    assert stored["Body"].read() == content
    assert refusing_store.relay.refused == []
