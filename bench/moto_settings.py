"""The project's settings as bench/upload.py runs it, and each of its variants, against moto.

moto, on a loaded machine, may take longer than the project's READ_TIMEOUT (myapp/storage/
backends.py) to complete a multipart upload of a GiB that django-storages sends itself (the
variants without the streaming handler): boto3 then asks again while moto is still at it, moto
answers the second request with a 500, and the file is not stored. (AWS answers at once and keeps
the connection alive while it completes; the project's own streamed uploads complete with a
patient client.) The S3 storage waits here: the upload is measured, not failed. Nothing else
differs from the project's settings.
"""

from myapp.settings import *  # noqa: F403
from myapp.settings import STORAGES

PATIENT_READ_TIMEOUT = 120
STORAGES = {**STORAGES, "default": {"BACKEND": f"{__name__}.PatientStorageClass"}}


def __getattr__(name):
    """The project's storage class, its read timeout longer: made when Django first asks for it,
    as the project's storages cannot be imported with the settings (they import its models)."""
    if name != "PatientStorageClass":
        raise AttributeError(name)
    from myapp import settings
    from myapp.storage import backends

    backends.READ_TIMEOUT = PATIENT_READ_TIMEOUT
    return settings.DefaultStorageClass
