"""Test files and their digests: what was sent, to compare with what comes back."""

import hashlib
import os

MiB = 1024 * 1024


def write_random_file(path, mebibytes):
    """Fill ``path`` with random bytes, a MiB at a time, and return their SHA-256.

    Compare it with ``sha256(chunks)`` of what comes back; nothing large is held in memory.
    """
    digest = hashlib.sha256()
    with path.open("wb") as file:
        for _ in range(mebibytes):
            chunk = os.urandom(MiB)
            digest.update(chunk)
            file.write(chunk)
    return digest.hexdigest()


def sha256(chunks):
    """Return the SHA-256 of the bytes in ``chunks``, an iterable of bytes."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def read_stored(field_file):
    """Return the bytes of a model's stored file, closed afterwards (S3's is a temporary file)."""
    with field_file.open("rb") as file:
        return file.read()


def stored_chunks(field_file):
    """Yield a model's stored file in chunks, closing it afterwards."""
    with field_file.open("rb") as file:
        yield from file.chunks()
