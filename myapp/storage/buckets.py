"""An S3 bucket (or a prefix of one) as one side of a copy: boto3's managed transfers.

Every request goes through the boto3 client of the calling thread: django-storages keeps one
connection per storage and thread, made once and reused for every file the thread copies.
Large files travel in parallel parts; a copy between two buckets of the same endpoint is made
by S3 itself (``CopyObject``), no byte passing through here.
"""

import base64
import hashlib

from boto3.s3.transfer import (
    BaseSubscriber,
    ProgressCallbackInvoker,
    TransferConfig,
    create_transfer_manager,
)
from storages.utils import clean_name

from myapp.storage.checksums import (
    COPIED_ETAG,
    MD5,
    Multipart,
    md5_in,
    multipart_parts,
    part_size,
    parts_of,
)
from myapp.storage.folders import Folder
from myapp.storage.transfer import PARTS_IN_FLIGHT, CopyError, Listed, Side

# The largest object S3 copies in one request (CopyObject); a larger one is copied in parts.
COPY_LIMIT = 5 * 1024**3
# Downloaded in parallel ranges above this size, in one request below: as rclone does (its
# --multi-thread-cutoff), for a ranged request costs the server more than a part of a whole one.
RANGES_CUTOFF = 256 * 1024**2
# The metadata in which rclone records the MD5 of an object it uploads in parts (base64), and
# copymedia too.
RCLONE_MD5 = "md5chksum"


class Bucket(Side):
    """A django-storages S3Storage."""

    def list_files(self):
        # One request per thousand objects, sizes and checksums included, instead of one listing
        # per folder and one request per file for its size.
        prefix = self.storage.location.strip("/")
        prefix = f"{prefix}/" if prefix else ""
        return {
            item.key.removeprefix(prefix): Listed(
                item.size, frozenset({item.e_tag.strip('"')}), item.e_tag
            )
            for item in self.storage.bucket.objects.filter(Prefix=prefix)
            if not item.key.endswith("/")  # a folder marker made by a console
        }

    @property
    def client(self):
        return self.storage.connection.meta.client

    def key(self, name):
        return self.storage._normalize_name(clean_name(name))

    def etag(self, name):
        return self.files[name].etag.strip('"')

    def endpoint(self):
        """S3 copies between two buckets itself for credentials that can read both: those of
        one endpoint, one region and one access key are taken to."""
        storage = self.storage
        return (storage.endpoint_url.rstrip("/"), storage.region_name, storage.access_key)

    def open(self, name):
        # Streamed as it arrives, where django-storages' S3File downloads the whole object at
        # the first read; If-Match: the object listed, not one that replaced it since.
        return self.client.get_object(
            Bucket=self.storage.bucket_name, Key=self.key(name), IfMatch=self.files[name].etag
        )["Body"]

    def read_into(self, name, file, progress):
        if self.files[name].size <= RANGES_CUTOFF:
            return super().read_into(name, file, progress)
        # If-Match on every request, from the ETag that Known gives s3transfer.
        arguments = {"bucket": self.storage.bucket_name, "key": self.key(name), "fileobj": file}
        transfer(
            self.client, "download", transfer_config(), progress, self.files[name], **arguments
        )

    def recorded(self, name):
        head = self.client.head_object(
            Bucket=self.storage.bucket_name, Key=self.key(name), IfMatch=self.files[name].etag
        )
        metadata = head.get("Metadata", {})
        checksums = set()
        if multipart_parts(metadata.get(COPIED_ETAG)):
            checksums.add(metadata[COPIED_ETAG])
        try:
            md5 = base64.b64decode(metadata.get(RCLONE_MD5, ""), validate=True).hex()
        except ValueError:
            md5 = ""
        if MD5.fullmatch(md5):
            checksums.add(md5)
        return frozenset(checksums)

    def multipart(self, name):
        listed, etag = self.files[name], self.etag(name)
        parts = multipart_parts(etag)
        if parts is None:
            return None
        # The first part's size. Not on If-Match, which moto compares with the part's ETag: the
        # part size of an object that replaced this one since can only make the ETags differ.
        head = self.client.head_object(
            Bucket=self.storage.bucket_name, Key=self.key(name), PartNumber=1
        )
        first = head["ContentLength"]
        # Parts all of one size but the last, as every tool sends them: no other layout can be
        # reproduced from the part size.
        if not first or parts_of(listed.size, first) != parts:
            return None
        return Multipart(etag, first)

    def write(self, name, source, progress):
        key = self.key(name)
        parameters = self.storage._get_write_parameters(key)
        arguments = {"bucket": self.storage.bucket_name, "key": key, "extra_args": parameters}
        listed = source.files[name]
        if isinstance(source, Bucket) and source.endpoint() == self.endpoint():
            self.copy_within_endpoint(name, source, progress, arguments)
        elif isinstance(source, Folder):
            # From its path, read a part at a time by the thread that sends it.
            config = transfer_config()
            transfer(
                self.client,
                "upload",
                config,
                progress,
                listed,
                fileobj=source.path(name),
                **arguments,
            )
        else:
            # In the source's parts, if it has some: the copy then has its ETag.
            multipart = source.multipart(name)
            config = transfer_config(multipart.part_size if multipart else None)
            stream = source.open(name)
            md5 = md5_in(listed.checksums)
            if md5 and listed.size >= config.multipart_threshold:
                # Sent in parts, the copy gets an ETag that is no MD5: the source's MD5 goes
                # with it, as rclone records it, once the bytes sent are found to have it.
                encoded = base64.b64encode(bytes.fromhex(md5)).decode()
                arguments["extra_args"]["Metadata"] = {RCLONE_MD5: encoded}
                stream = Checked(stream, md5)
            try:
                transfer(
                    self.client, "upload", config, progress, listed, fileobj=stream, **arguments
                )
            finally:
                stream.close()

    def copy_within_endpoint(self, name, source, progress, arguments):
        listed, etag = source.files[name], source.etag(name)
        # Replaced, not copied: the copy gets this storage's content type and ACL, as a file
        # uploaded here does, and the source's ETag if it differs from its own (an MD5, where
        # the source's is a multipart ETag).
        arguments["extra_args"] |= {
            "MetadataDirective": "REPLACE",
            "Metadata": {COPIED_ETAG: etag} if multipart_parts(etag) else {},
            "CopySourceIfMatch": listed.etag,
        }
        # Larger than CopyObject takes: in the source's parts, which give the copy its ETag.
        multipart = source.multipart(name) if listed.size > COPY_LIMIT else None
        config = transfer_config(multipart.part_size if multipart else None)
        config.multipart_threshold = COPY_LIMIT
        copy_source = {"Bucket": source.storage.bucket_name, "Key": source.key(name)}
        transfer(
            self.client, "copy", config, progress, listed, copy_source=copy_source, **arguments
        )


class Checked:
    """A stream that fails at its end, before an upload from it is completed, if what was read
    from it does not have the MD5 ``md5``."""

    def __init__(self, stream, md5):
        self.stream, self.md5 = stream, md5
        self.digest = hashlib.md5(usedforsecurity=False)

    def read(self, size=-1):
        data = self.stream.read(size)
        self.digest.update(data)
        if not data and size and self.digest.hexdigest() != self.md5:
            raise CopyError("its bytes do not have the MD5 that its listing gave")
        return data

    def close(self):
        self.stream.close()


def transfer_config(chunk_size=None):
    """boto3's settings for one file: parts of ``chunk_size`` (default: ``part_size()``),
    PARTS_IN_FLIGHT of them on their way, and as many read into memory."""
    chunk_size = chunk_size or part_size()
    config = TransferConfig(
        multipart_threshold=chunk_size,
        multipart_chunksize=chunk_size,
        max_concurrency=PARTS_IN_FLIGHT,
        # s3transfer's own threads, not the AWS CRT's, whatever is installed.
        preferred_transfer_client="classic",
    )
    # boto3's TransferConfig does not take it, s3transfer's reads it (default: 10 parts).
    config.max_in_memory_upload_chunks = PARTS_IN_FLIGHT
    return config


class Known(BaseSubscriber):
    """Tells s3transfer what the listing told: the size of what it transfers and the ETag of the
    source, which it would otherwise ask S3 for."""

    def __init__(self, listed):
        self.listed = listed

    def on_queued(self, future, **kwargs):
        future.meta.provide_transfer_size(self.listed.size)
        if self.listed.etag:
            future.meta.provide_object_etag(self.listed.etag)


def transfer(client, method, config, progress, listed, **arguments):
    """Run one of s3transfer's managed transfers (``upload``, ``download``, ``copy``) to its end."""
    subscribers = [Known(listed), ProgressCallbackInvoker(progress)]
    with create_transfer_manager(client, config) as manager:
        getattr(manager, method)(**arguments, subscribers=subscribers).result()
