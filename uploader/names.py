"""The name an upload is stored under, and the content type it is served with.

The browser's file name is untrusted: Django's upload parser keeps only its last path part and
printable characters, and the storage keeps only letters, digits, ``-``, ``_`` and ``.``. What
neither does is done here: bound the name in bytes as well as characters, never leave it empty
or hidden, and never store a file that a browser would open as a page running scripts.
"""

import mimetypes
import os
import unicodedata

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

from myapp.storage.content_types import served_content_type
from myapp.storage.names import PREFIX as PRIVATE_PREFIX

# FileField's column holds 100 characters and the storage may add "_" and 7 random characters so
# as not to overwrite a file of the same name; file systems allow 255 bytes per name, and one
# letter can take 4 bytes in UTF-8.
MAX_CHARACTERS = 90
MAX_BYTES = 200
# Anything longer after the last dot is part of the name, not an extension.
MAX_EXTENSION = 10
DEFAULT_STEM = "file"
# What a file that would run scripts is stored as instead: text/plain.
INERT_EXTENSION = ".txt"


def runs_scripts(content_type):
    """Return whether a file of ``content_type`` runs scripts when a browser opens it.

    HTML and XML documents (XHTML, SVG, XSLT...) do, with the rights of the site that serves them:
    the admin's own, for media served at /media/.
    """
    return content_type in {"text/html", "text/xml", "application/xml"} or content_type.endswith(
        "+xml"
    )


def storage_name(uploaded_name):
    """``(name, content_type)`` for a file the browser called ``uploaded_name``.

    The content type is the one both storages serve the name with (by its extension), so that
    what the admin shows is what a browser gets.
    """
    name = unicodedata.normalize("NFC", uploaded_name).replace("\\", "/").rpartition("/")[2]
    try:
        name = get_valid_filename(name)
    except SuspiciousFileOperation:  # nothing valid was left
        name = ""
    stem, extension = os.path.splitext(name)
    if len(extension) > MAX_EXTENSION:
        stem, extension = name, ""
    # A leading dot would make it one of the project's private names; a dash, an option.
    stem = stem.lstrip(PRIVATE_PREFIX + "-") or DEFAULT_STEM
    # A compressed page (page.html.gz, image.svgz) too: a server may yet send it as a page.
    if runs_scripts(mimetypes.guess_type(stem + extension)[0] or ""):
        extension += INERT_EXTENSION
    content_type = served_content_type(stem + extension)
    # Cut to the length allowed first, so that a very long name costs one copy, not one per letter.
    stem = stem[: MAX_CHARACTERS - len(extension)]
    while len(stem + extension) > MAX_CHARACTERS or len((stem + extension).encode()) > MAX_BYTES:
        stem = stem[:-1]
    return stem + extension, content_type
