"""Names the project keeps for itself in a storage: those that start with a dot.

No upload ever has one (``uploader.names`` strips leading dots), so a health probe, a file being
received or copied, or a folder of the project's own never clashes with an upload.
"""

import posixpath

PREFIX = "."


def private_name(name):
    """Return ``name`` as one of the project's own names."""
    return PREFIX + name


def is_private(path, prefix=PREFIX):
    """Return whether the last part of ``path`` starts with ``prefix``, a private name's start."""
    return posixpath.basename(path).startswith(prefix)
