"""How each storage takes a file the browser sends it straight, in parts, each part verified.

The server stays in charge: it reserves the name (myapp/storage/reservations.py), chooses the
content type and the ACL when the upload starts, signs each part for minutes only, with the
checksum the browser computed of it, and checks the parts and the stored object when the upload
ends. The web server never sees the bytes.

- S3: a multipart upload, its parts PUT by the browser to presigned URLs that require the part's
  SHA-256 (``x-amz-checksum-sha256``), which the store verifies; completed by the server, which
  then compares the object's composite checksum with the parts' it signed.
- Azure: blocks PUT by the browser with a SAS token valid for one blob of a private container and
  for writing only, each with its MD5 (``Content-MD5``, verified by the service) and a block id
  that names its number and that MD5; committed and moved into place by the server. It needs the
  account key: a DSN with a SAS token cannot sign one.
"""

import base64
import binascii
import contextlib
import hashlib
import logging
import re
import time
import uuid
from base64 import b64encode
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from storages.backends.azure_storage import AzureStorage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
# boto3's and the AWS CLI's part size: above S3's 5 MiB minimum, small enough that a failed part
# costs little to send again. Parts grow for files over 80 GiB, which S3's 10,000 parts and
# Azure's 50,000 blocks would not hold otherwise.
PART_SIZE = 8 * MiB
MAX_PARTS = 10_000
# How long a signed part URL or SAS token stays valid; the browser asks for more as it goes.
SIGNED_FOR = timedelta(minutes=10)
# The private container beside an Azure storage's own where browsers stage blobs, and those made
# by this process already.
STAGING_SUFFIX = "-uploading"
STAGING_CONTAINERS = set()
# How long the service may take to copy a staged blob into place: the answer to the browser's
# request must come before Divio's proxy stops waiting for it (30 s).
COPY_TIMEOUT = 25
# The bytes of each checksum the browser may give, by its name.
DIGEST_SIZES = {"sha256": 32, "md5": 16}


class UploadIncomplete(Exception):
    """The parts in the storage are not the whole file announced."""


class UploadAltered(UploadIncomplete):
    """The stored object is not what the parts' checksums say was sent: it was deleted."""


class UploadGone(Exception):
    """The storage no longer has the upload (aborted, or swept): it cannot be resumed."""


def parts_of(size, part_size):
    """Return how many parts of ``part_size`` make ``size`` bytes (one at least, as S3 counts)."""
    return max(1, -(-size // part_size))


def part_size(size):
    """Return the size of the parts in which a file of ``size`` bytes goes up."""
    return max(PART_SIZE, parts_of(size, MAX_PARTS * MiB) * MiB)


def part_count(size):
    """Return how many parts a file of ``size`` bytes goes up in (an empty file: one)."""
    return parts_of(size, part_size(size))


def expected_part_size(number, size):
    """Return the size of part ``number`` of a file of ``size`` bytes."""
    each = part_size(size)
    return max(0, min(each, size - (number - 1) * each))


def is_checksum(value, algorithm):
    """Return whether ``value`` is a checksum of ``algorithm`` in base64, as the browser gives."""
    if not isinstance(value, str) or len(value) > 64:
        return False
    try:
        return len(base64.b64decode(value, validate=True)) == DIGEST_SIZES[algorithm]
    except (binascii.Error, ValueError, KeyError):
        return False


def composite_sha256(checksums):
    """Return S3's checksum of an object completed from parts of those SHA-256s (base64): the
    SHA-256 of their digests, one after the other, then ``-`` and their count."""
    digests = b"".join(base64.b64decode(checksum) for checksum in checksums)
    return f"{b64encode(hashlib.sha256(digests).digest()).decode()}-{len(checksums)}"


def multipart_etag(etags):
    """Return the ETag S3 gives an object completed from parts of those ETags: the MD5 of their
    digests, one after the other, then ``-`` and their count; None if one is no MD5."""
    digests = []
    for etag in etags:
        etag = etag.strip('"')
        if not re.fullmatch(r"[0-9a-fA-F]{32}", etag):
            return None
        digests.append(bytes.fromhex(etag))
    return f'"{hashlib.md5(b"".join(digests)).hexdigest()}-{len(etags)}"'  # noqa: S324 - S3's


def for_storage(storage):
    """Return how ``storage`` takes direct uploads, or None if it takes none (file storage)."""
    if isinstance(storage, S3Storage) and not storage.gzip:
        return S3DirectUploads(storage)
    if isinstance(storage, AzureStorage) and storage.account_key:
        return AzureDirectUploads(storage)
    return None


def sends_checksums(storage):
    """Return whether boto3 may send ``storage`` checksums: not where the DSN says
    ``checksums=when_required``, for stores that refuse them (docs/storage.md)."""
    config = getattr(storage, "client_config", None)
    return getattr(config, "request_checksum_calculation", None) != "when_required"


class S3DirectUploads:
    """An S3 multipart upload whose parts the browser PUTs to presigned URLs."""

    # The headers of a part's PUT, for the CORS preflight (directuploads/cors.py).
    request_headers = "content-type,x-amz-checksum-sha256"

    def __init__(self, storage):
        self.storage = storage
        self.client = storage.connection.meta.client
        self.bucket = storage.bucket_name
        self.checksum = "sha256" if sends_checksums(storage) else ""

    def key(self, upload):
        return self.storage._normalize_name(clean_name(upload.name))

    def start(self, upload):
        """Begin the multipart upload, with the ACL and content type the server chose, and the
        checksum every part must carry."""
        parameters = self.storage._get_write_parameters(self.key(upload))
        parameters["ContentType"] = upload.content_type
        if self.checksum:
            parameters["ChecksumAlgorithm"] = "SHA256"
        response = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=self.key(upload), **parameters
        )
        upload.upload_id = response["UploadId"]
        upload.checksum = self.checksum

    def sign(self, upload, parts):
        """Return ``{number: (URL, headers)}``: where the browser PUTs each part of ``parts``
        (``{number: checksum}``), for minutes, and the headers it sends. With a checksum, the URL
        is valid only with it in ``x-amz-checksum-sha256``, which the store checks the part
        against."""
        signed = {}
        for number, checksum in parts.items():
            params = {
                "Bucket": self.bucket,
                "Key": self.key(upload),
                "UploadId": upload.upload_id,
                "PartNumber": number,
            }
            headers = {}
            if upload.checksum:
                params["ChecksumSHA256"] = headers["x-amz-checksum-sha256"] = checksum
            url = self.client.generate_presigned_url(
                "upload_part", Params=params, ExpiresIn=int(SIGNED_FOR.total_seconds())
            )
            signed[number] = (url, headers)
        return signed

    def list_parts(self, upload):
        from botocore.exceptions import ClientError

        parts = []
        try:
            for page in self.client.get_paginator("list_parts").paginate(
                Bucket=self.bucket, Key=self.key(upload), UploadId=upload.upload_id
            ):
                parts += page.get("Parts", [])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NoSuchUpload":
                raise UploadGone from error
            raise
        return parts

    def part_checksum(self, upload, part):
        # AWS lists each part's checksum; other stores (SeaweedFS) do not: the one signed for it
        # is the one the store verified it against.
        return part.get("ChecksumSHA256") or upload.checksums.get(str(part["PartNumber"]))

    def received(self, upload):
        """Return the parts the store holds: ``[{"number", "size", "checksum"}]``.

        Raise UploadGone if the store no longer has the upload.
        """
        return [
            {
                "number": part["PartNumber"],
                "size": part["Size"],
                "checksum": self.part_checksum(upload, part),
            }
            for part in self.list_parts(upload)
        ]

    def complete(self, upload):
        """Complete the upload if every part has arrived with the size announced and the
        checksum signed, then check the stored object.

        Raise UploadIncomplete if a part is missing, UploadAltered (the object deleted) if the
        object is not what the parts' checksums say; never replace an object stored under the
        name.
        """
        from botocore.exceptions import ClientError

        parts = self.list_parts(upload)
        numbers = [part["PartNumber"] for part in parts]
        received = sum(part["Size"] for part in parts)
        if numbers != list(range(1, part_count(upload.size) + 1)) or received != upload.size:
            raise UploadIncomplete(f"{received} of {upload.size} bytes arrived")
        listed = []
        for part in parts:
            entry = {"PartNumber": part["PartNumber"], "ETag": part["ETag"]}
            if upload.checksum:
                checksum = self.part_checksum(upload, part)
                if not checksum:
                    raise UploadIncomplete(f"part {part['PartNumber']} has no checksum")
                entry["ChecksumSHA256"] = checksum
            listed.append(entry)
        try:
            # Sent once, waiting as long as the store takes to join the parts (backends.py).
            self.storage.completing_client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self.key(upload),
                UploadId=upload.upload_id,
                MultipartUpload={"Parts": listed},
                IfNoneMatch="*",
            )
        except ClientError as error:
            # Asked again after an answer that never came, completing finds the object its first
            # request made: the upload gone, or the name taken. Only an object made of exactly
            # these parts is that one.
            code = error.response.get("Error", {}).get("Code")
            if code not in {"NoSuchUpload", "PreconditionFailed"} or not self.is_made_of(
                upload, parts
            ):
                raise
            logger.info("A completed upload of %s was found completed already", upload.name)
        upload.upload_id = ""
        self.verify(upload, [entry.get("ChecksumSHA256") for entry in listed])

    def is_made_of(self, upload, parts):
        """Return whether the object under the upload's name was completed from ``parts``."""
        from botocore.exceptions import ClientError

        expected = multipart_etag([part["ETag"] for part in parts])
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(upload))
        except ClientError:
            return False
        return expected is not None and head.get("ETag") == expected

    def verify(self, upload, checksums):
        """Check the completed object's size and, where the store gives one, its composite
        checksum against the parts' signed checksums; delete it and raise UploadAltered if they
        differ."""
        head = self.client.head_object(
            Bucket=self.bucket, Key=self.key(upload), ChecksumMode="ENABLED"
        )
        problem = None
        if head["ContentLength"] != upload.size:
            problem = f"{head['ContentLength']} bytes stored of {upload.size}"
        stored = head.get("ChecksumSHA256")
        if upload.checksum and stored and not problem:
            expected = composite_sha256(checksums)
            digest, _, count = stored.partition("-")
            # moto gives the composite checksum without its count.
            if digest != expected.partition("-")[0] or count not in ("", str(len(checksums))):
                problem = f"the stored checksum {stored} is not the parts' {expected}"
        if problem:
            logger.error("A direct upload of %s was stored altered (%s)", upload.name, problem)
            self.client.delete_object(Bucket=self.bucket, Key=self.key(upload))
            raise UploadAltered(problem)

    def stored_size(self, upload):
        """Return the size of the stored object."""
        return self.client.head_object(Bucket=self.bucket, Key=self.key(upload))["ContentLength"]

    def discard(self, upload):
        """Leave nothing of the upload: abort it, or delete the object it completed."""
        from botocore.exceptions import ClientError

        if upload.upload_id:
            try:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=self.key(upload), UploadId=upload.upload_id
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "NoSuchUpload":
                    raise
        else:
            self.storage.delete(upload.name)


def block_id(number, md5=""):
    """Return the id of block ``number`` with the MD5 ``md5`` (base64), of the same length for
    every block of a blob, as Azure wants: the committed block list then says which content was
    committed. The Azure SDK takes and gives ids as they are; requests carry them in base64."""
    return f"{number:05d}-{md5:>24}" if md5 else f"{number:08d}"


def parse_block_id(block):
    """Return ``(number, md5)`` of a block id made by block_id, or None."""
    match = re.fullmatch(r"(\d{5})-([A-Za-z0-9+/=]{24})", block)
    return (int(match[1]), match[2]) if match else None


def encoded(block):
    """Return a block id as a browser's request carries it."""
    return quote(b64encode(block.encode()), safe="")


def staging_container(container):
    """Return the name of the private container where the browser stages ``container``'s blobs."""
    return f"{container[: 63 - len(STAGING_SUFFIX)]}{STAGING_SUFFIX}"


class AzureDirectUploads:
    """Blocks the browser PUTs to a blob of a private container, moved into place by the server.

    A SAS cannot be revoked before it expires: the one a browser holds would still write the blob
    it names after the upload ended. It names a blob of a private container, where the server
    commits the blocks and from where the service copies the blob to its name in the storage's
    own container: what a browser holds changes nothing that is stored or served.
    """

    request_headers = "content-type,content-md5"
    checksum = "md5"

    def __init__(self, storage):
        self.storage = storage
        self.staging = storage.service_client.get_container_client(
            staging_container(storage.azure_container)
        )

    def blob(self, upload):
        return self.storage.client.get_blob_client(self.storage._get_valid_path(upload.name))

    def staged(self, upload):
        return self.staging.get_blob_client(upload.upload_id)

    def start(self, upload):
        """Choose the blob the browser stages the blocks in, in the private container."""
        from azure.core.exceptions import ResourceExistsError

        if self.staging.url not in STAGING_CONTAINERS:
            with contextlib.suppress(ResourceExistsError):
                self.staging.create_container()  # private: no public access
            STAGING_CONTAINERS.add(self.staging.url)
        upload.upload_id = uuid.uuid4().hex
        upload.checksum = self.checksum

    def sas(self, container, name, **permissions):
        from azure.storage.blob import BlobSasPermissions, generate_blob_sas

        now = datetime.now(timezone.utc)
        return generate_blob_sas(
            self.storage.account_name,
            container,
            name,
            account_key=self.storage.account_key,
            permission=BlobSasPermissions(**permissions),
            # A little back in time, in case the service's clock is ahead of ours.
            start=now - timedelta(minutes=5),
            expiry=now + SIGNED_FOR,
        )

    def sign(self, upload, parts):
        """Return ``{number: (URL, headers)}``: where the browser PUTs each block of ``parts``
        (``{number: MD5}``), for minutes, and the headers it sends (its MD5, which the service
        checks the block against)."""
        sas = self.sas(self.staging.container_name, upload.upload_id, write=True)
        url = self.staged(upload).url
        signed = {}
        for number, md5 in parts.items():
            block = encoded(block_id(number, md5 if upload.checksum else ""))
            headers = {"Content-MD5": md5} if upload.checksum else {}
            signed[number] = (f"{url}?comp=block&blockid={block}&{sas}", headers)
        return signed

    def uncommitted(self, upload):
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return self.staged(upload).get_block_list("uncommitted")[1]
        except ResourceNotFoundError:  # no block staged yet
            return []

    def received(self, upload):
        """Return the blocks staged: ``[{"number", "size", "checksum"}]``."""
        found = []
        for block in self.uncommitted(upload):
            parsed = parse_block_id(block.id)
            if parsed:
                found.append({"number": parsed[0], "size": block.size, "checksum": parsed[1]})
        return found

    def complete(self, upload):
        """Commit the blocks signed if every one has arrived with the size announced, and move
        the blob to its name.

        Raise UploadIncomplete if not; never replace a blob stored under the name.
        """
        from azure.core import MatchConditions
        from azure.core.exceptions import ResourceExistsError, ResourceModifiedError
        from azure.storage.blob import BlobBlock, ContentSettings

        staged = self.staged(upload)
        blocks = {block.id: block.size for block in self.uncommitted(upload)}
        count = part_count(upload.size)
        wanted = [
            block_id(number, upload.checksums.get(str(number), "") if upload.checksum else "")
            for number in range(1, count + 1)
        ]
        received = sum(blocks.get(block, 0) for block in wanted)
        sizes_right = all(
            blocks.get(block) == expected_part_size(number, upload.size)
            for number, block in enumerate(wanted, 1)
        )
        if not set(wanted) <= set(blocks) or received != upload.size or not sizes_right:
            raise UploadIncomplete(f"{received} of {upload.size} bytes arrived")
        staged.commit_block_list(
            [BlobBlock(block) for block in wanted],
            content_settings=ContentSettings(content_type=upload.content_type),
        )
        # The service copies within the account; the copy keeps the blob's properties.
        readable = self.sas(self.staging.container_name, upload.upload_id, read=True)
        blob = self.blob(upload)
        try:
            status = blob.start_copy_from_url(
                f"{staged.url}?{readable}", match_condition=MatchConditions.IfMissing
            )["copy_status"]
        except (ResourceExistsError, ResourceModifiedError):
            # A request retried after a timeout finds the copy its first try began; any other
            # blob under the name stays as it is.
            copy = blob.get_blob_properties().copy
            if not (copy.source or "").startswith(staged.url):
                raise
            status = copy.status
        deadline = time.monotonic() + COPY_TIMEOUT
        while status == "pending" and time.monotonic() < deadline:
            time.sleep(0.1)
            status = blob.get_blob_properties().copy.status
        if status != "success":
            raise UploadIncomplete(f"the storage's copy of the blob ended as {status}")
        staged.delete_blob()
        upload.upload_id = ""
        stored = self.stored_size(upload)
        if stored != upload.size:
            self.storage.delete(upload.name)
            raise UploadAltered(f"{stored} bytes stored of {upload.size}")

    def stored_size(self, upload):
        """Return the size of the stored blob."""
        return self.blob(upload).get_blob_properties().size

    def discard(self, upload):
        """Leave nothing of the upload: its staged blob or blocks, or the blob it completed."""
        if upload.upload_id:
            delete_with_blocks(self.staged(upload))
        else:
            self.storage.delete(upload.name)

    def sweep(self, cutoff):
        """Delete what was staged before ``cutoff``: abandoned, or written after the upload
        ended with a SAS still valid. Return how many blobs went."""
        swept = 0
        for listed in self.staging.list_blobs(include=["uncommittedblobs"]):
            if listed.last_modified < cutoff:
                delete_with_blocks(self.staging.get_blob_client(listed.name))
                swept += 1
        return swept


def delete_with_blocks(blob):
    """Delete ``blob`` and the blocks staged for it, committed or not."""
    from azure.core.exceptions import ResourceNotFoundError

    if not blob.exists():
        # Committing no block makes an empty blob, whose deletion takes the staged blocks.
        blob.commit_block_list([])
    with contextlib.suppress(ResourceNotFoundError):
        blob.delete_blob()
