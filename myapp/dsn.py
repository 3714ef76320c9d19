"""Reading storage DSNs (``DEFAULT_STORAGE_DSN``) without building a storage.

Settings import this module, so it must stay light: no storage backend, no boto3.
"""

from urllib.parse import unquote

import furl


def redact(dsn):
    """The DSN with its secret replaced, safe to print or log."""
    url = furl.furl(dsn)
    if url.password:
        url.password = "***"
    return url.tostr()


def local_media(dsn):
    """``(MEDIA_ROOT, MEDIA_URL)`` of a ``file://`` DSN, or ``("", "")`` for any other.

    Django serves local media in DEBUG from these two settings; deriving them from the DSN that
    the storage itself reads means they can never point somewhere else.
    """
    url = furl.furl(dsn)
    if url.scheme != "file":
        return "", ""
    # django-storage-url keeps the path percent-encoded as its storage location; a folder name
    # with a space or a non-ASCII letter must reach the disk decoded.
    return unquote(str(url.path)), url.args.get("url", "")
