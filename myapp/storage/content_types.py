"""The content type a stored file is served with, the same whichever storage serves it."""

import mimetypes

DEFAULT_CONTENT_TYPE = "application/octet-stream"
# Python's mimetypes knows compressed files only as the encoding of another type (archive.tar.gz:
# a tar, gzip-encoded), which servers then send as Content-Encoding: a client that honours it
# receives the file decompressed, under the archive's name.
COMPRESSED_CONTENT_TYPES = {
    "gzip": "application/gzip",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "compress": "application/x-compress",
}


def served_content_type(name):
    """Return the content type of a stored file from its name.

    A compressed file's is the compressed bytes' own, so that it is served, and downloaded, as it
    was uploaded.
    """
    content_type, encoding = mimetypes.guess_type(name)
    if encoding:
        return COMPRESSED_CONTENT_TYPES.get(encoding, DEFAULT_CONTENT_TYPE)
    return content_type or DEFAULT_CONTENT_TYPE
