"""The origin a page's direct uploads go to, allowed in that page's Content-Security-Policy."""

from types import SimpleNamespace

from django.db import models

from directuploads.storages import for_storage
from myapp.middleware import allow_in_policy, origin

PROBE = SimpleNamespace(name="probe.txt", upload_id="probe", size=1, checksum="", checksums={})
# Where a storage keeps its origin: on itself, not in a cache keyed by it, since default_storage
# is a lazy object that hashes as the storage behind it, which changes with the settings.
ORIGIN = "direct_upload_origin"


def upload_origin(storage):
    """Return the origin the browser sends ``storage``'s parts to, or None if it takes none.

    Computed as the parts' URLs are signed (no network), once per storage.
    """
    if not hasattr(storage, ORIGIN):
        uploads = for_storage(storage)
        setattr(storage, ORIGIN, uploads and origin(uploads.sign(PROBE, {1: None})[1][0]))
    return getattr(storage, ORIGIN)


def allow_uploads(response, model):
    """Allow the page ``response`` to send parts to the storages of ``model``'s file fields."""
    found = {
        upload_origin(field.storage)
        for field in model._meta.fields
        if isinstance(field, models.FileField)
    }
    allow_in_policy(response, **{"connect-src": sorted(filter(None, found))})
