"""Direct uploads: the browser sends a file straight to the bucket or container, in parts.

The server stays in charge: it reserves the name (myapp/storage/reservations.py), chooses the
content type and the ACL when the upload starts, signs each part for minutes only, and checks the
parts and the stored object's size when the upload ends. The web server never sees the bytes.

- S3: a multipart upload, its parts PUT by the browser to presigned URLs, completed by the server.
- Azure: blocks PUT by the browser with a SAS token valid for that one blob and for writing only,
  committed by the server. It needs the account key: a DSN with a SAS token cannot sign one.
"""

from base64 import b64encode
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from storages.backends.azure_storage import AzureStorage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from myapp.storage.allocator import MiB
from myapp.storage.checksums import parts_of

# boto3's and the AWS CLI's part size: above S3's 5 MiB minimum, small enough that a failed part
# costs little to send again. Parts grow for files over 80 GiB, which S3's 10,000 parts and
# Azure's 50,000 blocks would not hold otherwise.
PART_SIZE = 8 * MiB
MAX_PARTS = 10_000
# How long a signed part URL or SAS token stays valid; the browser asks for more as it goes.
SIGNED_FOR = timedelta(minutes=10)


class UploadIncomplete(Exception):
    """The parts in the storage are not the whole file announced."""


def part_size(size):
    """Return the size of the parts in which a file of ``size`` bytes goes up."""
    return max(PART_SIZE, parts_of(size, MAX_PARTS * MiB) * MiB)


def part_count(size):
    """Return how many parts a file of ``size`` bytes goes up in (an empty file: one)."""
    return parts_of(size, part_size(size))


def for_storage(storage):
    """Return how ``storage`` takes direct uploads, or None if it takes none (file storage)."""
    if isinstance(storage, S3Storage) and not storage.gzip:
        return S3DirectUploads(storage)
    if isinstance(storage, AzureStorage) and storage.account_key:
        return AzureDirectUploads(storage)
    return None


class S3DirectUploads:
    """An S3 multipart upload whose parts the browser PUTs to presigned URLs."""

    def __init__(self, storage):
        self.storage = storage
        self.client = storage.connection.meta.client
        self.bucket = storage.bucket_name

    def key(self, upload):
        return self.storage._normalize_name(clean_name(upload.name))

    def start(self, upload):
        """Begin the multipart upload, with the ACL and content type the server chose."""
        parameters = self.storage._get_write_parameters(self.key(upload))
        parameters["ContentType"] = upload.content_type
        response = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=self.key(upload), **parameters
        )
        upload.upload_id = response["UploadId"]

    def sign(self, upload, numbers):
        """Return ``{number: URL}``, where the browser PUTs each part, for minutes."""
        return {
            number: self.client.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": self.bucket,
                    "Key": self.key(upload),
                    "UploadId": upload.upload_id,
                    "PartNumber": number,
                },
                ExpiresIn=int(SIGNED_FOR.total_seconds()),
            )
            for number in numbers
        }

    def complete(self, upload):
        """Complete the upload if every part has arrived with the size announced.

        Raise UploadIncomplete if not; never replace an object stored under the name.
        """
        parts = []
        for page in self.client.get_paginator("list_parts").paginate(
            Bucket=self.bucket, Key=self.key(upload), UploadId=upload.upload_id
        ):
            parts += page.get("Parts", [])
        numbers = [part["PartNumber"] for part in parts]
        received = sum(part["Size"] for part in parts)
        if numbers != list(range(1, part_count(upload.size) + 1)) or received != upload.size:
            raise UploadIncomplete(f"{received} of {upload.size} bytes arrived")
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key(upload),
            UploadId=upload.upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts]
            },
            IfNoneMatch="*",
        )
        upload.upload_id = ""

    def stored_size(self, upload):
        """Return the size of the stored object."""
        return self.client.head_object(Bucket=self.bucket, Key=self.key(upload))["ContentLength"]

    def discard(self, upload):
        """Leave nothing of the upload: abort it, or delete the object it completed."""
        if upload.upload_id:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key(upload), UploadId=upload.upload_id
            )
        else:
            self.storage.delete(upload.name)


def block_id(number):
    """Return the id of block ``number``, of the same length for every block, as Azure wants.

    The Azure SDK takes and gives ids as they are; the browser's requests carry them in base64.
    """
    return f"{number:08d}"


def encoded(number):
    """Return the id of block ``number`` as a browser's request carries it."""
    return quote(b64encode(block_id(number).encode()), safe="")


class AzureDirectUploads:
    """Blocks of a blob that the browser PUTs with a SAS for that blob, committed by the server."""

    def __init__(self, storage):
        self.storage = storage

    def blob(self, upload):
        return self.storage.client.get_blob_client(self.storage._get_valid_path(upload.name))

    def start(self, upload):
        """Nothing to begin: a blob's blocks are staged by their own requests."""

    def sign(self, upload, numbers):
        """Return ``{number: URL}``, where the browser PUTs each block, for minutes."""
        from azure.storage.blob import BlobSasPermissions, generate_blob_sas

        now = datetime.now(timezone.utc)
        sas = generate_blob_sas(
            self.storage.account_name,
            self.storage.azure_container,
            self.storage._get_valid_path(upload.name),
            account_key=self.storage.account_key,
            permission=BlobSasPermissions(write=True),
            # A little back in time, in case the service's clock is ahead of ours.
            start=now - timedelta(minutes=5),
            expiry=now + SIGNED_FOR,
        )
        url = self.blob(upload).url
        return {number: f"{url}?comp=block&blockid={encoded(number)}&{sas}" for number in numbers}

    def complete(self, upload):
        """Commit the blocks if every one has arrived with the size announced.

        Raise UploadIncomplete if not; never replace a blob stored under the name.
        """
        from azure.core import MatchConditions
        from azure.storage.blob import BlobBlock, ContentSettings

        blob = self.blob(upload)
        staged = {block.id: block.size for block in blob.get_block_list("uncommitted")[1]}
        wanted = [block_id(number) for number in range(1, part_count(upload.size) + 1)]
        received = sum(staged.get(block, 0) for block in wanted)
        if not set(wanted) <= set(staged) or received != upload.size:
            raise UploadIncomplete(f"{received} of {upload.size} bytes arrived")
        blob.commit_block_list(
            [BlobBlock(block) for block in wanted],
            content_settings=ContentSettings(content_type=upload.content_type),
            match_condition=MatchConditions.IfMissing,
        )

    def stored_size(self, upload):
        """Return the size of the stored blob."""
        return self.blob(upload).get_blob_properties().size

    def discard(self, upload):
        """Leave nothing of the upload: its blob, or its blocks not yet committed."""
        blob = self.blob(upload)
        if not blob.exists():
            # Committing no block makes an empty blob, whose deletion takes the staged blocks.
            blob.commit_block_list([])
        blob.delete_blob()
