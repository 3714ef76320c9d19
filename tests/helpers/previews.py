"""Files stored as the previews' tests need them, and where their previews are."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers.stores import Container


def store(name, content):
    """Store ``content`` as ``name`` in the default storage; return the name it got."""
    return default_storage.save(name, ContentFile(content))


def read_stored(name):
    """Return the bytes of the file ``name`` in the default storage, closed afterwards."""
    with default_storage.open(name, "rb") as file:
        return file.read()


def previews_of(name, stored=None):
    """The names of the previews of the stored file ``name``, beside it, as ``stored`` lists them.

    An Azure container lists them without their leading dot: django-storages strips it from every
    blob name, and the storage does so alike for every name it is given.
    """
    return {preview_name(name, kind, stored) for kind in ("thumbnail", "large")}


def preview_name(name, kind, stored=None):
    """The name of the preview ``kind`` of ``name``, as ``stored`` lists it (previews_of)."""
    preview = f".previews/{name}/{kind}.webp"
    return preview.lstrip(".") if isinstance(stored, Container) else preview


def uploaded(name, content, **fields):
    """Save a new UploadedFile of ``content``, as a form saves one; return it."""
    from uploader.models import UploadedFile

    row = UploadedFile(file=SimpleUploadedFile(name, content), **fields)
    row.save()
    return row
