"""The kind of an upload (uploader/kinds.py): image, video, audio, document, archive or other,
from the type it is served with, computed by the database, where the admin's filter asks it."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.helpers.uploads import upload
from uploader.kinds import KIND, Kind
from uploader.models import UploadedFile

pytestmark = pytest.mark.django_db

EXAMPLES = {
    "photo.jpg": ("image/jpeg", Kind.IMAGE),
    "logo.svg.txt": ("text/plain", Kind.DOCUMENT),  # an SVG is stored as text
    "icon.png": ("image/png", Kind.IMAGE),
    "clip.mp4": ("video/mp4", Kind.VIDEO),
    "film.webm": ("video/webm", Kind.VIDEO),
    "song.mp3": ("audio/mpeg", Kind.AUDIO),
    "notes.txt": ("text/plain", Kind.DOCUMENT),
    "table.csv": ("text/csv", Kind.DOCUMENT),
    "report.pdf": ("application/pdf", Kind.DOCUMENT),
    "letter.rtf": ("application/rtf", Kind.DOCUMENT),
    "book.epub": ("application/epub+zip", Kind.DOCUMENT),
    "old.doc": ("application/msword", Kind.DOCUMENT),
    "old.xls": ("application/vnd.ms-excel", Kind.DOCUMENT),
    "old.ppt": ("application/vnd.ms-powerpoint", Kind.DOCUMENT),
    "letter.docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Kind.DOCUMENT,
    ),
    "sheet.ods": ("application/vnd.oasis.opendocument.spreadsheet", Kind.DOCUMENT),
    "bundle.zip": ("application/zip", Kind.ARCHIVE),
    "backup.tar.gz": ("application/gzip", Kind.ARCHIVE),
    "backup.tar": ("application/x-tar", Kind.ARCHIVE),
    "backup.7z": ("application/x-7z-compressed", Kind.ARCHIVE),
    "backup.tar.xz": ("application/x-xz", Kind.ARCHIVE),
    "backup.tar.bz2": ("application/x-bzip2", Kind.ARCHIVE),
    "old.tar.Z": ("application/x-compress", Kind.ARCHIVE),
    "backup.tar.zst": ("application/zstd", Kind.ARCHIVE),
    "photos.rar": ("application/vnd.rar", Kind.ARCHIVE),
    "photos-old.rar": ("application/x-rar-compressed", Kind.ARCHIVE),
    "data.json": ("application/json", Kind.OTHER),
    "disk.iso": ("application/x-iso9660-image", Kind.OTHER),
    "blob.bin": ("application/octet-stream", Kind.OTHER),
    "imagery.bin": ("imagex/unknown", Kind.OTHER),
}


@pytest.fixture
def uploads():
    UploadedFile.objects.bulk_create(
        upload(name, content_type=content_type) for name, (content_type, _) in EXAMPLES.items()
    )


@pytest.mark.usefixtures("uploads")
@pytest.mark.parametrize("kind", Kind.values)
def test_the_uploads_of_a_kind_are_those_of_its_types(kind):
    found = UploadedFile.objects.alias(kind=KIND).filter(kind=kind).values_list("name", flat=True)

    assert set(found) == {name for name, (_, its) in EXAMPLES.items() if its == kind}


@pytest.mark.usefixtures("uploads")
def test_every_upload_is_of_exactly_one_kind():
    kinds = dict(UploadedFile.objects.annotate(kind=KIND).values_list("name", "kind"))

    assert kinds == {name: kind for name, (_, kind) in EXAMPLES.items()}


def test_the_indexes_on_the_kind_compute_it_as_the_model_does():
    """An index serves only the very expression it was built on: a kind changed here needs a
    migration that builds the indexes again."""
    out = StringIO()
    call_command("makemigrations", "uploader", "--check", "--dry-run", stdout=out)

    assert out.getvalue() == "No changes detected in app 'uploader'\n"
