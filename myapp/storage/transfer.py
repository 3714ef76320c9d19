"""One storage of a copy (``copymedia``): what every kind of storage does for it.

A Side lists its files with what the listing says of them (size, checksums), reads a file as a
stream, and writes one from another Side, choosing the cheapest way the two storages allow: a
copy within the service itself, parallel parts, or a stream. Whatever happens, no partial file
ever stands under a file's name. ``folders``, ``buckets`` and ``containers`` hold the kinds.
"""

from typing import NamedTuple

from myapp.storage.checksums import Digest, chunks

# How many parts of one file travel at a time, to S3 and from S3 or Azure, as in rclone's S3
# backend: with the files in flight (copymedia --jobs), they bound what a copy holds in memory.
PARTS_IN_FLIGHT = 4


class Listed(NamedTuple):
    size: int
    # The checksums the listing gives for free: S3's ETag, Azure's Content-MD5 (in hex).
    checksums: frozenset = frozenset()
    # The service's ETag of this version of the file, on which a read can be made conditional.
    etag: str | None = None


class CopyError(Exception):
    """A copy of one file that the storage service itself reported as failed."""


class Side:
    """One storage of a copy and the files it holds (``files``, filled by ``list()``)."""

    def __init__(self, storage):
        self.storage = storage
        self.files = {}

    def list(self):
        """Fill ``files``: ``{name: Listed}`` for every file in the storage, by its name there."""
        self.files = self.list_files()

    def list_files(self):
        raise NotImplementedError

    def open(self, name):
        """Return the file as a binary stream to read forward, never loaded whole into memory."""
        raise NotImplementedError

    def read_into(self, name, file, progress):
        """Write the file's bytes into the open binary ``file``, calling ``progress(bytes)``."""
        stream = self.open(name)
        try:
            for chunk in chunks(stream):
                file.write(chunk)
                progress(len(chunk))
        finally:
            stream.close()

    def digest(self, name, part_size=None, whole=True):
        """Return the Digest of the file's bytes, read (see ``checksums.Digest``)."""
        stream = self.open(name)
        try:
            return Digest(part_size, whole).read(stream)
        finally:
            stream.close()

    def recorded(self, name):
        """Return checksums of the file that the storage records beside it and its listing does
        not give, asking for them (S3: its metadata)."""
        return frozenset()

    def multipart(self, name):
        """Return the file's multipart ETag with its part size (``checksums.Multipart``), where
        the storage can tell them; None elsewhere."""
        return None

    def write(self, name, source, progress):
        """Store the file ``name`` of the Side ``source`` as exactly ``name``, replacing the
        file there, calling ``progress(bytes)`` as bytes arrive."""
        raise NotImplementedError

    def delete(self, name):
        self.storage.delete(name)
