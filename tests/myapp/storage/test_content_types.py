"""The type a stored file is served with, from its name (myapp/storage/content_types.py): the
same whichever storage serves it, and a compressed file's own."""

import pytest

from myapp.storage.content_types import served_content_type


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("report.pdf", "application/pdf"),
        ("photo.PNG", "image/png"),
        ("photo.jpg", "image/jpeg"),
        ("clip.mp4", "video/mp4"),
        ("notes.txt", "text/plain"),
        ("page.html.txt", "text/plain"),
        ("data.csv", "text/csv"),
        ("bundle.zip", "application/zip"),
    ],
)
def test_a_file_is_served_with_the_type_its_name_says(name, content_type):
    assert served_content_type(name) == content_type


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("backup.tar.gz", "application/gzip"),
        ("backup.tgz", "application/gzip"),
        ("notes.txt.gz", "application/gzip"),
        ("drawing.svgz", "application/gzip"),
        ("backup.tar.bz2", "application/x-bzip2"),
        ("logs.bz2", "application/x-bzip2"),
        ("backup.tar.xz", "application/x-xz"),
        ("old.tar.Z", "application/x-compress"),
    ],
)
def test_a_compressed_file_is_served_as_the_compressed_bytes_not_what_they_unpack_to(
    name, content_type
):
    assert served_content_type(name) == content_type


@pytest.mark.parametrize("name", ["README", "archive.weird-extension", "notes.txt.br"])
def test_a_file_of_no_known_type_is_served_as_bytes(name):
    """A Brotli file too: no type of its own is registered for it."""
    assert served_content_type(name) == "application/octet-stream"
