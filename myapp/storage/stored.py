"""Uploaded files already in the storage, waiting for the form that names them to be saved."""

from django.core.files.uploadedfile import UploadedFile


class StoredUpload(UploadedFile):
    """A file sent to a storage while its request arrived, or by the browser itself.

    A model saves it as any uploaded file; the storage it was sent to then keeps it where it is
    instead of sending it again (StoredUploadsMixin).
    """

    def save_in(self, storage, name, max_length):
        """Return the name the file is saved under in ``storage``, asked for as ``name``.

        Return None where it must be sent as any other file: another storage, another name.
        """
        raise NotImplementedError


class StoredUploadsMixin:
    """For a storage: save a StoredUpload sent to it without sending it again."""

    def save(self, name, content, max_length=None):
        if isinstance(content, StoredUpload):
            stored = content.save_in(self, name, max_length)
            if stored is not None:
                return stored
        return super().save(name, content, max_length)
