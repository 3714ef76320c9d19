"""A folder as one side of a copy (``file://``): listed by walking it, written by renaming."""

import os
import posixpath
import uuid

from django.core.files.base import ContentFile

from myapp.storage.names import is_private, private_name
from myapp.storage.transfer import Listed, Side

# A file being copied into a folder is written under this private name first; a copy that was
# killed leaves it behind.
TEMPORARY_PREFIX = private_name("copymedia-")


def is_temporary(name):
    """Return whether ``name`` is that of a file a copy into a folder was writing."""
    return is_private(name, TEMPORARY_PREFIX)


class Folder(Side):
    """A FileSystemStorage, or any storage whose files have a ``path()`` on this machine."""

    def list_files(self):
        return dict(self._walk(""))

    def _walk(self, folder):
        folders, files = self.storage.listdir(folder)
        for file in files:
            name = posixpath.join(folder, file)
            yield name, Listed(self.storage.size(name))
        for subfolder in folders:
            yield from self._walk(posixpath.join(folder, subfolder))

    def path(self, name):
        return self.storage.path(name)

    def open(self, name):
        return open(self.path(name), "rb")

    def write(self, name, source, progress):
        # A folder shows a file while it is written: write it beside, then rename it over the
        # old one. The storage creates the temporary file, its folders and their permissions.
        path = self.path(name)
        temporary = posixpath.join(posixpath.dirname(name), f"{TEMPORARY_PREFIX}{uuid.uuid4().hex}")
        temporary = self.storage.save(temporary, ContentFile(b""))
        try:
            with open(self.path(temporary), "r+b") as file:
                source.read_into(name, file, progress)
            os.replace(self.path(temporary), path)
        except BaseException:
            self.storage.delete(temporary)
            raise
