"""An Azure Blob Storage container as one side of a copy: one client, reused by every thread.

A blob is written in blocks sent in parallel and committed together with its MD5, which the
service keeps only when told it (or for a blob sent in one request); a copy between two
containers of the same account is made by the service itself.
"""

import base64
import datetime
import hashlib
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from azure.core import MatchConditions
from azure.storage.blob import (
    BlobSasPermissions,
    ContainerClient,
    ContentSettings,
    generate_blob_sas,
)

from myapp.storage.checksums import COPIED_ETAG, multipart_etag, multipart_parts, part_size
from myapp.storage.transfer import PARTS_IN_FLIGHT, CopyError, Listed, Side

# Blocks of one blob on their way at a time: as many bytes as rclone's Azure backend sends at
# once (16 blocks of 4 MiB), where its S3 backend sends 4 parts, as PARTS_IN_FLIGHT.
BLOCKS_IN_FLIGHT = 8
# Azure's limits on a blob's blocks: how many, how large.
MAX_BLOCKS, MAX_BLOCK_SIZE = 50_000, 4000 * 1024**2
# How long the service may take over a copy within an account before the file is reported failed.
COPY_TIMEOUT = 3600


class Container(Side):
    """A django-storages AzureStorage."""

    def __init__(self, storage):
        super().__init__(storage)
        service = storage.service_client
        # django-storages' own client fetches the first 32 MiB of a blob in one request and
        # sends up to 64 MiB in one: per file in flight, that much memory.
        self.client = ContainerClient(
            service.url,
            storage.azure_container,
            credential=service.credential,
            max_single_get_size=part_size(),
            max_chunk_get_size=part_size(),
        )

    def list_files(self):
        # One request per 5,000 blobs, sizes and checksums included. Names as listed:
        # django-storage-url's Azure storages have no location (prefix).
        return {
            blob.name: Listed(blob.size, blob_checksums(blob), blob.etag)
            for blob in self.client.list_blobs(include=["metadata", "copy"])
            if not blob.name.endswith("/")  # a folder marker made by a tool
        }

    def path(self, name):
        return self.storage._get_valid_path(name)

    def blob(self, name):
        return self.client.get_blob_client(self.path(name))

    def unchanged(self, name):
        """The condition that the blob is the one listed, not one that replaced it since."""
        return {"etag": self.files[name].etag, "match_condition": MatchConditions.IfNotModified}

    def open(self, name):
        return Stream(
            self.client.download_blob(self.path(name), max_concurrency=1, **self.unchanged(name))
        )

    def read_into(self, name, file, progress):
        done = 0

        def report(current, total):
            nonlocal done
            progress(current - done)
            done = current

        downloader = self.client.download_blob(
            self.path(name),
            max_concurrency=PARTS_IN_FLIGHT,
            progress_hook=report,
            **self.unchanged(name),
        )
        downloader.readinto(file)

    def account(self):
        """Where the service copies between containers itself: within one account."""
        client = self.client
        return (client.scheme, client.primary_hostname, client.account_name)

    def readable_url(self, name):
        """The blob's URL with what lets the service read it for a copy: a SAS of the storage's
        own, or one made with its account key."""
        url = self.blob(name).primary_endpoint
        storage = self.storage
        if storage.account_key:
            token = generate_blob_sas(
                storage.account_name,
                storage.azure_container,
                self.path(name),
                account_key=storage.account_key,
                permission=BlobSasPermissions(read=True),
                expiry=datetime.datetime.now(datetime.timezone.utc)
                + datetime.timedelta(seconds=COPY_TIMEOUT),
            )
        else:
            token = storage.sas_token
        return f"{url}?{token}" if token else url

    def write(self, name, source, progress):
        if isinstance(source, Container) and source.account() == self.account():
            self.copy_within_account(name, source)
            progress(source.files[name].size)
            return
        stream = source.open(name)
        try:
            self.upload(name, stream, source.files[name].size, source.multipart(name), progress)
        finally:
            stream.close()

    def copy_within_account(self, name, source):
        # The copy keeps the source's properties, its MD5 and metadata included.
        blob = self.blob(name)
        unchanged = source.unchanged(name)
        status = blob.start_copy_from_url(
            source.readable_url(name),
            source_etag=unchanged["etag"],
            source_match_condition=unchanged["match_condition"],
        )["copy_status"]
        deadline, pause = time.monotonic() + COPY_TIMEOUT, 0.05
        while status == "pending" and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 2)
            status = blob.get_blob_properties().copy.status
        if status != "success":
            # What a copy that did not succeed left under the name is not the file.
            blob.delete_blob()
            raise CopyError(f"the service's copy ended as {status}")

    def upload(self, name, stream, size, multipart, progress):
        """Send ``stream`` as the blob ``name``: in one request if it fits in a block, else in
        blocks, a few at a time, committed once all have arrived (until then the blob, or the
        one it replaces, stays as it was). Its MD5 goes with it, and, given a multipart S3
        ETag's parts, the ETag its bytes have in those parts."""
        blob = self.blob(name)
        settings = self.storage._get_content_settings_parameters(self.path(name))
        if multipart and multipart.part_size > MAX_BLOCK_SIZE:
            multipart = None
        # In blocks of the S3 parts, if given: the MD5s of the blocks then make the S3 ETag.
        block_size = multipart.part_size if multipart else max(part_size(), -(-size // MAX_BLOCKS))
        whole, parts = hashlib.md5(usedforsecurity=False), []
        if size <= block_size:
            data = stream.read()
            whole.update(data)
            if multipart:
                parts.append(hashlib.md5(data, usedforsecurity=False).digest())
            properties = self.properties(settings, whole, parts, multipart)
            blob.upload_blob(data, length=len(data), overwrite=True, **properties)
            progress(len(data))
            return
        # Written by hand: the SDK's upload_blob takes a blob's MD5 only before the upload starts,
        # and it is known only once every byte has been read.
        blocks = []

        def stage(block, data):
            digest = hashlib.md5(data, usedforsecurity=False).digest() if multipart else None
            blob.stage_block(block, data, len(data))
            progress(len(data))
            return digest

        with ThreadPoolExecutor(BLOCKS_IN_FLIGHT, thread_name_prefix="azure-block") as executor:
            in_flight = deque()
            while data := read_block(stream, block_size):
                whole.update(data)
                blocks.append(base64.b64encode(f"{len(blocks):08}".encode()).decode())
                in_flight.append(executor.submit(stage, blocks[-1], data))
                if len(in_flight) >= BLOCKS_IN_FLIGHT:
                    parts.append(in_flight.popleft().result())
            parts.extend(future.result() for future in in_flight)
        blob.commit_block_list(blocks, **self.properties(settings, whole, parts, multipart))

    def properties(self, settings, whole, parts, multipart):
        return {
            "content_settings": ContentSettings(**settings, content_md5=bytearray(whole.digest())),
            "metadata": {COPIED_ETAG: multipart_etag(parts)} if multipart else None,
        }


def read_block(stream, size):
    """Read ``size`` bytes from ``stream``, or what is left of it: a read may give fewer."""
    data = stream.read(size)
    while data and len(data) < size and (more := stream.read(size - len(data))):
        data += more
    return data


def blob_checksums(blob):
    """A blob's MD5 and the S3 ETag it was copied with, as far as the listing gives them; none
    for a blob still being copied, whose MD5 is the source's already."""
    if blob.copy.status not in (None, "success"):
        return frozenset()
    md5 = blob.content_settings.content_md5
    etag = (blob.metadata or {}).get(COPIED_ETAG)
    checksums = {bytes(md5).hex()} if md5 else set()
    if multipart_parts(etag):
        checksums.add(etag)
    return frozenset(checksums)


class Stream:
    """A blob being downloaded, read forward a part at a time."""

    def __init__(self, downloader):
        self.downloader = downloader

    def read(self, size=-1):
        return self.downloader.read(size)

    def close(self):
        pass
