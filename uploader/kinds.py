"""The kind of an upload (image, video, audio, document, archive or other), from its content type.

The kind is not stored: KIND computes it in the database, where an index on the same expression
(uploader_kind_newest_first) finds the uploads of one kind without reading the others.
"""

from django.db import models
from django.db.models import Case, Q, Value, When


class Kind(models.TextChoices):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"
    ARCHIVE = "archive"
    OTHER = "other"


# The types the uploader records (myapp/storage/content_types.py) for text, PDF and the office
# suites' files.
DOCUMENT_PREFIXES = [
    "text/",
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
]
DOCUMENT_TYPES = [
    "application/pdf",
    "application/rtf",
    "application/epub+zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
]
# And for archives and compressed files, .tar.gz and .tgz included.
ARCHIVE_TYPES = [
    "application/zip",
    "application/gzip",
    "application/x-tar",
    "application/x-7z-compressed",
    "application/x-xz",
    "application/x-bzip2",
    "application/x-compress",
    "application/zstd",
    "application/vnd.rar",
    "application/x-rar-compressed",
]


def _starts_with_any(prefixes):
    condition = Q()
    for prefix in prefixes:
        condition |= Q(content_type__startswith=prefix)
    return condition


# An index is used only for the very expression it was built on: changing this one means a
# migration that builds the index again (makemigrations notices).
KIND = Case(
    When(content_type__startswith="image/", then=Value(Kind.IMAGE.value)),
    When(content_type__startswith="video/", then=Value(Kind.VIDEO.value)),
    When(content_type__startswith="audio/", then=Value(Kind.AUDIO.value)),
    When(
        _starts_with_any(DOCUMENT_PREFIXES) | Q(content_type__in=DOCUMENT_TYPES),
        then=Value(Kind.DOCUMENT.value),
    ),
    When(content_type__in=ARCHIVE_TYPES, then=Value(Kind.ARCHIVE.value)),
    default=Value(Kind.OTHER.value),
    output_field=models.CharField(),
)
