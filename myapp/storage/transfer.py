"""Listing, comparing and copying the files of any storage a DSN names (``copymedia``).

They use Django's Storage API, so they work for every scheme, and take a cheaper way where a
backend has one: an S3 listing gives sizes and checksums for a thousand files per request, and an
S3 object can be streamed instead of downloaded first.
"""

import copy
import hashlib
import os
import posixpath
import re
import uuid
from typing import NamedTuple

from boto3.s3.transfer import TransferConfig
from django.conf import settings
from storages.backends.azure_storage import AzureStorage
from storages.backends.s3 import S3Storage

from myapp.storage.names import is_private, private_name

CHUNK_SIZE = 1024 * 1024
# An S3 ETag is the MD5 of the bytes for an object uploaded whole (and not encrypted with KMS); one
# uploaded in N parts has "<MD5 of the parts' MD5s>-N", which depends on the part size.
MD5 = re.compile(r"[0-9a-f]{32}")
# What the settings of django-storages' backends are called that make save() replace a file of the
# same name instead of choosing a new name: S3's (and Google Cloud's), Azure's.
OVERWRITE_SWITCHES = ("file_overwrite", "overwrite_files")
# A file being copied into a folder is written under this private name first; a copy that was
# killed leaves it behind.
TEMPORARY_PREFIX = private_name("copymedia-")


class Listed(NamedTuple):
    size: int
    # The ETag an S3 listing gives; None where the listing has no checksum.
    etag: str | None = None


def list_files(storage):
    """``{name: Listed}`` for every file in the storage, by its name in the storage."""
    if isinstance(storage, S3Storage):
        return _list_bucket(storage)
    if isinstance(storage, AzureStorage):
        return _list_container(storage)
    return dict(_walk(storage, ""))


def _list_bucket(storage):
    # One request per thousand objects, sizes and checksums included, instead of one listing per
    # folder and one request per file for its size.
    prefix = storage.location.strip("/")
    prefix = f"{prefix}/" if prefix else ""
    return {
        item.key.removeprefix(prefix): Listed(item.size, item.e_tag.strip('"'))
        for item in storage.bucket.objects.filter(Prefix=prefix)
        if not item.key.endswith("/")  # a folder marker made by a console
    }


def _list_container(storage):
    # One request per 5,000 blobs, sizes included, instead of one request per blob for its size.
    # Names as listed: django-storage-url's Azure storages have no location (prefix).
    return {
        blob.name: Listed(blob.size)
        for blob in storage.client.list_blobs(timeout=storage.timeout)
        if not blob.name.endswith("/")  # a folder marker made by a tool
    }


def _walk(storage, folder):
    folders, files = storage.listdir(folder)
    for file in files:
        name = posixpath.join(folder, file)
        yield name, Listed(storage.size(name))
    for subfolder in folders:
        yield from _walk(storage, posixpath.join(folder, subfolder))


def is_temporary(name):
    """Return whether ``name`` is that of a file a copy into a folder was writing."""
    return is_private(name, TEMPORARY_PREFIX)


def open_stream(storage, name):
    """The file as a binary stream to read in chunks, never loaded whole into memory."""
    if isinstance(storage, S3Storage):
        # django-storages' S3File downloads the whole object at the first read, into memory
        # unless AWS_S3_MAX_MEMORY_SIZE is set; boto3's object streams it.
        with storage.open(name, "rb") as file:
            return file.obj.get()["Body"]
    return storage.open(name, "rb")


def s3_part_size():
    """The size of the parts in which this project uploads to S3 (AWS_S3_TRANSFER_CONFIG, else
    boto3's default, which the AWS CLI uses too)."""
    config = getattr(settings, "AWS_S3_TRANSFER_CONFIG", None) or TransferConfig()
    return config.multipart_chunksize


def digests(stream):
    """The stream's MD5, and the ETag S3 gives the same bytes uploaded in this project's parts."""
    whole, part = hashlib.md5(usedforsecurity=False), hashlib.md5(usedforsecurity=False)
    parts, in_part, part_size = [], 0, s3_part_size()
    while chunk := stream.read(CHUNK_SIZE):
        whole.update(chunk)
        while chunk:
            piece, chunk = chunk[: part_size - in_part], chunk[part_size - in_part :]
            part.update(piece)
            in_part += len(piece)
            if in_part == part_size:
                parts.append(part.digest())
                part, in_part = hashlib.md5(usedforsecurity=False), 0
    if in_part:
        parts.append(part.digest())
    multipart = hashlib.md5(b"".join(parts), usedforsecurity=False).hexdigest()
    return {whole.hexdigest(), f"{multipart}-{len(parts)}"}


class Side:
    """One storage of a copy and the files it holds."""

    def __init__(self, storage, files):
        self.storage, self.files = storage, files

    def fingerprints(self, name, read=False):
        """Values that identify the file's bytes: its listed ETag, which costs nothing, or, when
        there is none or ``read`` is true, those computed by reading it (``digests``)."""
        etag = self.files[name].etag
        if etag and not read:
            return {etag}
        stream = open_stream(self.storage, name)
        try:
            return digests(stream)
        finally:
            stream.close()


def conclusive(fingerprints):
    """Whether the fingerprints include an MD5, which settles a comparison either way."""
    return any(MD5.fullmatch(value) for value in fingerprints)


def identical(source, destination, name):
    """Whether the file ``name`` has the same size and the same bytes on both sides, found at
    the least cost: S3's ETags when they say it, the bytes read and hashed when they do not."""
    if source.files[name].size != destination.files[name].size:
        return False
    mine, theirs = source.fingerprints(name), destination.fingerprints(name)
    if mine & theirs:
        return True
    if conclusive(mine) and conclusive(theirs):
        return False
    # A multipart ETag depends on the part size its uploader chose: only the bytes can tell.
    if not conclusive(mine):
        mine = source.fingerprints(name, read=True)
    if not conclusive(theirs):
        theirs = destination.fingerprints(name, read=True)
    return bool(mine & theirs)


def replacing(storage):
    """A copy of ``storage`` whose save() writes exactly the name given, replacing the file there.

    Storages built from our DSNs never replace a file (a second upload gets a new name); a copy
    must keep every name.
    """
    replacing = copy.copy(storage)
    for switch in OVERWRITE_SWITCHES:
        if hasattr(replacing, switch):
            setattr(replacing, switch, True)
            return replacing
    raise TypeError(f"{type(storage).__name__} cannot replace a file: it cannot be copied into.")


def write(storage, name, content):
    """Store ``content`` as exactly ``name``, replacing the file there; whatever happens, no
    partial file ever stands under ``name``."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        # An object store shows an object only once all of it has arrived.
        replacing(storage).save(name, content)
        return
    # A folder shows a file while it is written: write it beside, then rename it over the old one.
    temporary = posixpath.join(posixpath.dirname(name), f"{TEMPORARY_PREFIX}{uuid.uuid4().hex}")
    try:
        storage.save(temporary, content)
        os.replace(storage.path(temporary), path)
    except BaseException:
        storage.delete(temporary)
        raise
