"""Telling whether two storages hold the same bytes under a name, at the least cost (``copymedia``).

Each storage's listing may give checksums for free: S3 an ETag, Azure a Content-MD5. An S3 ETag
is the MD5 of the bytes for an object uploaded whole (and not encrypted with KMS); one uploaded in
N parts has ``<MD5 of the parts' MD5s>-N``, which depends on the part size, so it can be
reproduced from the bytes once the part size is known.
"""

import hashlib
import re
from typing import NamedTuple

from boto3.s3.transfer import TransferConfig
from django.conf import settings

CHUNK_SIZE = 1024 * 1024
# The metadata in which a copy records the multipart ETag of its bytes, where its own ETag is
# another (an S3 copy made in one request has their MD5; an Azure blob, none): the ETag of the
# S3 object it was copied from, which a later copy then finds equal without reading either.
COPIED_ETAG = "s3etag"
MD5 = re.compile(r"[0-9a-f]{32}")
MULTIPART_ETAG = re.compile(r"[0-9a-f]{32}-([0-9]+)")


def chunks(stream):
    """Yield what ``stream`` holds a chunk at a time, each valid until the next is asked for.

    Read into one buffer where the stream can (files, boto3's bodies): a new MiB for each chunk
    costs more than hashing it, the allocator mapping and clearing fresh memory every time.
    """
    readinto = getattr(stream, "readinto", None)
    if readinto is None:
        while chunk := stream.read(CHUNK_SIZE):
            yield chunk
        return
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    while size := readinto(buffer):
        yield view[:size]


def part_size():
    """The size of the parts in which this project sends files to S3 (AWS_S3_TRANSFER_CONFIG,
    else boto3's default, which the AWS CLI uses too), and copymedia to S3 and Azure."""
    config = getattr(settings, "AWS_S3_TRANSFER_CONFIG", None) or TransferConfig()
    return config.multipart_chunksize


def md5_in(checksums):
    """Return the MD5 among ``checksums``, or None."""
    return next((value for value in checksums if MD5.fullmatch(value)), None)


def multipart_in(checksums):
    """Return the multipart ETag among ``checksums``, or None."""
    return next((value for value in checksums if MULTIPART_ETAG.fullmatch(value)), None)


def parts_of(size, part_size):
    """Return how many parts of ``part_size`` make ``size`` bytes (one at least, as S3 counts)."""
    return max(1, -(-size // part_size))


def multipart_parts(etag):
    """Return how many parts the multipart ETag ``etag`` counts, or None for any other value."""
    match = MULTIPART_ETAG.fullmatch(etag or "")
    return int(match[1]) if match else None


def multipart_etag(parts):
    """Return the ETag S3 gives an object uploaded in parts, from the parts' MD5s (digests)."""
    return f"{hashlib.md5(b''.join(parts), usedforsecurity=False).hexdigest()}-{len(parts)}"


class Digest:
    """The MD5 of bytes given in order (``whole``), and the ETag S3 gives the same bytes uploaded
    in parts of ``part_size``, if given."""

    def __init__(self, part_size=None, whole=True):
        self.whole = hashlib.md5(usedforsecurity=False) if whole else None
        self.part_size = part_size
        self.part = hashlib.md5(usedforsecurity=False)
        self.in_part = 0
        self.parts = []

    def update(self, data):
        if self.whole:
            self.whole.update(data)
        if not self.part_size:
            return
        data = memoryview(data)
        while data:
            piece, data = (
                data[: self.part_size - self.in_part],
                data[self.part_size - self.in_part :],
            )
            self.part.update(piece)
            self.in_part += len(piece)
            if self.in_part == self.part_size:
                self.parts.append(self.part.digest())
                self.part, self.in_part = hashlib.md5(usedforsecurity=False), 0

    def md5(self):
        return self.whole.hexdigest()

    def etag(self):
        return multipart_etag(self.parts + ([self.part.digest()] if self.in_part else []))

    def read(self, stream):
        """Hash everything ``stream`` holds, a chunk at a time; return this digest."""
        for chunk in chunks(stream):
            self.update(chunk)
        return self


class Multipart(NamedTuple):
    """A multipart ETag and the size of its parts (all but the last)."""

    etag: str
    part_size: int


def identical(source, destination, name):
    """Return whether the file ``name`` has the same size and the same bytes on both sides.

    Checksums settle it when the sides share one, or when both have an MD5: first those their
    listings give, then those recorded beside the files (asked for only where the other side has
    some to match). Otherwise one side is read and hashed as the other side's checksum was made
    (an MD5, or a multipart ETag from its part size); both are read only when neither has one.
    """
    mine, theirs = source.files[name], destination.files[name]
    if mine.size != theirs.size:
        return False
    my_checksums, their_checksums = mine.checksums, theirs.checksums
    if my_checksums & their_checksums:
        return True
    if md5_in(my_checksums) and md5_in(their_checksums):
        return False
    if their_checksums:
        my_checksums |= source.recorded(name)
    if my_checksums:
        their_checksums |= destination.recorded(name)
    if my_checksums & their_checksums:
        return True
    my_md5, their_md5 = md5_in(my_checksums), md5_in(their_checksums)
    if my_md5 and their_md5:
        return False
    if their_md5:
        return source.digest(name).md5() == their_md5
    if my_md5:
        return destination.digest(name).md5() == my_md5
    my_etag, their_etag = multipart_in(my_checksums), multipart_in(their_checksums)
    if my_etag and their_etag:
        my_parts, their_parts = source.multipart(name), destination.multipart(name)
        if not (my_parts and their_parts) or my_parts.part_size == their_parts.part_size:
            # The same parts and another ETag; or parts that no part size reproduces.
            return False
        return source.digest(name, their_parts.part_size, whole=False).etag() == their_etag
    if their_etag:
        return reproduces(source, destination, name, their_etag)
    if my_etag:
        return reproduces(destination, source, name, my_etag)
    return source.digest(name).md5() == destination.digest(name).md5()


def reproduces(side, other, name, etag):
    """Return whether the bytes of ``name`` on ``side`` have the multipart ETag ``etag`` that
    ``other`` gives them: hashed in this project's part size, which most tools use too (asking
    ``other`` for the part size would take a request, and a client of its own to each thread),
    then, if that does not give the ETag, in the part size ``other`` tells."""
    guess = part_size()
    if (
        parts_of(side.files[name].size, guess) == multipart_parts(etag)
        and side.digest(name, guess, whole=False).etag() == etag
    ):
        return True
    actual = other.multipart(name)
    if actual is None or actual.part_size == guess:
        return False
    return side.digest(name, actual.part_size, whole=False).etag() == etag
