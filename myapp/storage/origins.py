"""The origins a page of the site talks to for its media: where links point, where uploads go.

The Content-Security-Policy (myapp/middleware.py) allows these and no other: the storage's own
public host for images and media, its endpoint for the direct uploads' requests.
"""

import functools
from urllib.parse import urlsplit

from myapp.storage import direct

PROBE = "probe.txt"


def origin(url):
    """Return the origin of an absolute URL (``https://host:port``), or None for a path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


@functools.cache
def storage_origins(dsn):
    """Return ``(links, uploads)``: the origins of the storage's links and of its direct uploads.

    Computed from the storage itself, as its links and signed URLs are made (no network), once per
    DSN; a DSN the check refuses has none.
    """
    from myapp.storage.dsn import InvalidDSN, open_storage

    try:
        storage = open_storage(dsn)
    except InvalidDSN:
        return (), ()
    links = tuple(filter(None, [origin(storage.url(PROBE))]))
    uploads = direct.for_storage(storage)
    if not uploads:
        return links, ()
    from myapp.storage.models import Upload

    probe = Upload(name=PROBE, upload_id="probe", size=1)
    return links, (origin(uploads.sign(probe, [1])[1]),)
