"""The names files are stored under: cleaned for every upload, and those the project keeps.

The project's own names start with a dot: no cleaned name does, so a health probe or a file being
received never clashes with an upload.
"""

import mimetypes
import os
import posixpath
import unicodedata

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

PREFIX = "."
# FileField's column holds 100 characters by default and a storage may add "_" and 7 random
# characters so as not to replace a file of the same name; file systems allow 255 bytes per name,
# and one letter can take 4 bytes in UTF-8.
MAX_CHARACTERS = 90
MAX_BYTES = 200
# Anything longer after the last dot is part of the name, not an extension.
MAX_EXTENSION = 10
DEFAULT_STEM = "file"
# What a file that would run scripts is stored as instead: text/plain.
INERT_EXTENSION = ".txt"


def private_name(name):
    """Return ``name`` as one of the project's own names."""
    return PREFIX + name


def is_private(path, prefix=PREFIX):
    """Return whether the last part of ``path`` starts with ``prefix``, a private name's start."""
    return posixpath.basename(path).startswith(prefix)


def runs_scripts(name):
    """Return whether a browser opening the file ``name`` runs the scripts it holds.

    HTML and XML documents (XHTML, SVG, XSLT...) do, with the rights of the site that serves them:
    the admin's own, for media served at /media/. A compressed one too (page.html.gz, image.svgz):
    a server may yet send it as a page.
    """
    content_type = mimetypes.guess_type(name)[0] or ""
    return content_type in {"text/html", "text/xml", "application/xml"} or content_type.endswith(
        "+xml"
    )


def valid_name(name):
    """Return the name a file the browser called ``name`` is stored under.

    Django's upload parser keeps only the last part of a path and printable characters; this
    keeps letters, digits, ``-``, ``_`` and ``.``, bounds the name in bytes, never leaves it empty
    or hidden, and never keeps a name a browser would open as a page running scripts.
    """
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rpartition("/")[2]
    try:
        name = get_valid_filename(name)
    except SuspiciousFileOperation:  # nothing valid was left
        name = ""
    stem, extension = os.path.splitext(name)
    if len(extension) > MAX_EXTENSION:
        stem, extension = name, ""
    # A leading dot would make it one of the project's private names; a dash, an option.
    stem = stem.lstrip(PREFIX + "-") or DEFAULT_STEM
    if runs_scripts(stem + extension):
        extension += INERT_EXTENSION
    stem = stem[: MAX_CHARACTERS - len(extension)]
    stem = stem.encode()[: MAX_BYTES - len(extension.encode())].decode(errors="ignore")
    return stem + extension
