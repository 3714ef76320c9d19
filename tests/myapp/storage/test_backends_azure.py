"""Azure Blob Storage behind DEFAULT_STORAGE_DSN: the literal az:// forms as parsed, and the same
guarantees as S3 proven against a real Azure Blob server (Azurite) on loopback."""

import base64
import gzip
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import furl
import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import ContainerSasPermissions, generate_container_sas
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_storage_url import get_storage

from myapp.storage.backends import AzureStorage, EndpointAzureStorage
from tests.helpers.admin import admin_link, admin_upload
from tests.helpers.azurite import ACCOUNT
from tests.helpers.azurite import KEY as ACCOUNT_KEY
from tests.helpers.files import sha256, write_random_file
from tests.helpers.project import use_storage_dsn
from uploader.models import UploadedFile

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4\n" + bytes(range(256)) * 64
KEY = quote(ACCOUNT_KEY, safe="")  # an account key as a DSN carries it, percent-encoded
SAS = "sv=2025-01-05&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00%3A00%3A00Z&spr=https&sig=c2lnbmVk%2B%3D"
BASE64_SAS = quote(base64.b64encode(SAS.encode()).decode(), safe="")


def service_url(storage):
    """Where the storage sends its requests: the container's URL, credential left out."""
    return furl.furl(storage.client.url).remove(query=True).url


# The literal forms, parsed (the az:// endpoint is Azure itself, out of the tests' reach)


@pytest.mark.parametrize(
    ("value", "account", "container", "credential", "service", "public"),
    [
        (
            f"az://myaccount:{KEY}@blob.core.windows.net/media",
            "myaccount",
            "media",
            "account key",
            "https://myaccount.blob.core.windows.net/media",
            "https://myaccount.blob.core.windows.net/media/a%20b.txt",
        ),
        (
            f"az://myaccount:{BASE64_SAS}@blob.core.windows.net/media",
            "myaccount",
            "media",
            "SAS token",
            "https://myaccount.blob.core.windows.net/media",
            "https://myaccount.blob.core.windows.net/media/a%20b.txt",
        ),
        (
            f"az://myaccount:{BASE64_SAS}@blob.core.windows.net/media?domain=media.example.com",
            "myaccount",
            "media",
            "SAS token",
            "https://myaccount.blob.core.windows.net/media",
            "https://media.example.com/media/a%20b.txt",
        ),
        (
            (
                f"az://myaccount:{KEY}@blob.core.windows.net/media"
                "?url=https%3A%2F%2Fcdn.example.com%2Fassets%2F"
            ),
            "myaccount",
            "media",
            "account key",
            "https://myaccount.blob.core.windows.net/media",
            "https://cdn.example.com/assets/a%20b.txt",
        ),
        (  # a plain-HTTP public URL leaves the service on HTTPS
            f"az://myaccount:{KEY}@blob.core.windows.net/media?url=http%3A%2F%2Fcdn.example.com",
            "myaccount",
            "media",
            "account key",
            "https://myaccount.blob.core.windows.net/media",
            "http://cdn.example.com/a%20b.txt",
        ),
        (  # a national cloud: the host says where the service is
            f"az://myaccount:{KEY}@blob.core.chinacloudapi.cn/media",
            "myaccount",
            "media",
            "account key",
            "https://myaccount.blob.core.chinacloudapi.cn/media",
            "https://myaccount.blob.core.chinacloudapi.cn/media/a%20b.txt",
        ),
        (
            f"az+http://devstoreaccount1:{KEY}@127.0.0.1:10000/devstoreaccount1/media",
            "devstoreaccount1",
            "media",
            "account key",
            "http://127.0.0.1:10000/devstoreaccount1/media",
            "http://127.0.0.1:10000/devstoreaccount1/media/a%20b.txt",
        ),
        (
            f"az+https://myaccount:{BASE64_SAS}@myaccount.privatelink.blob.core.windows.net/media",
            "myaccount",
            "media",
            "SAS token",
            "https://myaccount.privatelink.blob.core.windows.net/media",
            "https://myaccount.privatelink.blob.core.windows.net/media/a%20b.txt",
        ),
    ],
)
def test_az_forms_give_their_account_container_credential_and_public_url(
    value, account, container, credential, service, public
):
    storage = get_storage(value)
    assert type(storage) is (EndpointAzureStorage if value.startswith("az+") else AzureStorage)
    assert (storage.account_name, storage.azure_container) == (account, container)
    if credential == "SAS token":
        assert (storage.sas_token, storage.account_key) == (SAS, None)
        assert "sig=" in storage.client.url  # the requests are signed with it...
    else:
        assert (storage.account_key, storage.sas_token) == (ACCOUNT_KEY, None)
    assert service_url(storage) == service
    assert storage.url("a b.txt") == public  # ...but the links never show it


@pytest.mark.parametrize("scheme", ["az", "az+http", "az+https"])
def test_no_azure_scheme_overwrites_by_default(scheme):
    host = "blob.core.windows.net" if scheme == "az" else "127.0.0.1:10000/devstoreaccount1"
    assert get_storage(f"{scheme}://devstoreaccount1:{KEY}@{host}/media").overwrite_files is False


# Against Azurite


@pytest.mark.django_db
def test_an_admin_upload_lands_in_the_container_and_its_link_serves_it(
    admin_client, azure_container, azurite
):
    assert admin_upload(admin_client, "report.pdf", CONTENT).status_code == 302

    uploaded = UploadedFile.objects.get()
    assert [blob.name for blob in azure_container.client.list_blobs()] == [uploaded.file.name]
    link = admin_link(admin_client, uploaded)
    assert link == f"{azurite.endpoint}/{azure_container.name}/{quote(uploaded.file.name)}"
    response = requests.get(link, timeout=10)  # anonymous, as a visitor's browser
    assert (response.status_code, response.content) == (200, CONTENT)


@pytest.mark.django_db
def test_a_compressed_file_is_served_as_the_bytes_uploaded(admin_client, azure_container):
    archive = gzip.compress(CONTENT)
    assert admin_upload(admin_client, "backup.tar.gz", archive).status_code == 302

    response = requests.get(admin_link(admin_client, UploadedFile.objects.get()), timeout=10)

    assert (response.status_code, response.content) == (200, archive)
    assert response.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response.headers


@pytest.mark.django_db
def test_two_uploads_with_the_same_name_keep_two_blobs(admin_client, azure_container):
    for content in (b"first version", b"second version"):
        assert admin_upload(admin_client, "report.txt", content).status_code == 302

    first, second = UploadedFile.objects.order_by("pk")
    assert first.file.name != second.file.name
    blobs = {blob.name for blob in azure_container.client.list_blobs()}
    assert blobs == {first.file.name, second.file.name}
    read = azure_container.client.download_blob
    assert [read(f.file.name).readall() for f in (first, second)] == [
        b"first version",
        b"second version",
    ]


def test_a_blob_stored_meanwhile_under_the_chosen_name_is_kept_and_the_upload_takes_another(
    azure_container,
):
    name = default_storage.get_available_name("report.txt")  # free when the upload starts...
    azure_container.client.upload_blob(name, b"stored meanwhile")  # ...taken before it ends

    stored = default_storage._save(name, ContentFile(b"late upload"))

    assert stored != name
    assert azure_container.client.download_blob(name).readall() == b"stored meanwhile"
    assert azure_container.client.download_blob(stored).readall() == b"late upload"


@pytest.mark.django_db(transaction=True)
def test_deleting_a_row_in_the_admin_deletes_its_blob(admin_client, azure_container):
    assert admin_upload(admin_client, "report.pdf", CONTENT).status_code == 302
    uploaded = UploadedFile.objects.get()
    assert [blob.name for blob in azure_container.client.list_blobs()] == [uploaded.file.name]

    delete = f"/admin/uploader/uploadedfile/{uploaded.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302

    assert not UploadedFile.objects.exists()
    assert list(azure_container.client.list_blobs()) == []


def test_a_sas_token_stores_reads_and_never_shows_in_links(settings, azurite):
    container = azurite.new_container()
    sas = generate_container_sas(
        ACCOUNT,
        container.name,
        account_key=ACCOUNT_KEY,
        permission=ContainerSasPermissions(read=True, create=True, write=True, delete=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    use_storage_dsn(settings, azurite.dsn(container.name, base64.b64encode(sas.encode()).decode()))
    assert default_storage.sas_token == sas
    assert default_storage.account_key is None

    name = default_storage.save("signed.txt", ContentFile(b"sent with a SAS token"))

    with default_storage.open(name) as file:
        assert file.read() == b"sent with a SAS token"
    link = default_storage.url(name)
    assert link == f"{azurite.endpoint}/{container.name}/{name}"  # no query, so no signature
    assert requests.get(link, timeout=10).content == b"sent with a SAS token"


def test_a_wrong_account_key_is_refused(settings, azurite, azure_container):
    wrong = base64.b64encode(b"not the key" * 6).decode()
    use_storage_dsn(settings, azurite.dsn(azure_container.name, wrong))
    with pytest.raises(HttpResponseError):  # Azurite checks every signature, as Azure does
        default_storage.save("a.txt", ContentFile(b"a"))
    assert list(azure_container.client.list_blobs()) == []


def test_a_large_file_goes_up_in_blocks_and_arrives_intact(azure_container, tmp_path):
    path = tmp_path / "large.bin"
    sent = write_random_file(path, 70)  # over the SDK's 64 MiB limit for a single request

    with path.open("rb") as file:
        name = default_storage.save("large.bin", File(file))

    blob = azure_container.client.get_blob_client(name)
    assert blob.get_blob_properties().size == 70 * 1024 * 1024
    assert len(blob.get_block_list()[0]) > 1  # committed blocks: it went up in parts
    assert sha256(blob.download_blob().chunks()) == sent
