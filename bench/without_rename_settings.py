"""The project receiving a large file into the system's temporary folder, as Django does, instead
of into the media folder, for ``python -m bench.upload``: storing it is then a move from that
folder, a copy where it is another filesystem (a container's /tmp and its /data volume).
"""

import functools

from bench.moto_settings import *  # noqa: F403
from bench.moto_settings import FILE_UPLOAD_HANDLERS

FILE_UPLOAD_HANDLERS = [
    f"{__name__}.TemporaryFileUploadHandler"
    if handler.endswith(".TemporaryFileUploadHandler")
    else handler
    for handler in FILE_UPLOAD_HANDLERS
]


@functools.cache
def __getattr__(name):
    """Django's own temporary file handler with the project's chunk size, made when Django first
    asks for it: the project's handlers cannot be imported with the settings (its models)."""
    if name != "TemporaryFileUploadHandler":
        raise AttributeError(name)
    from django.core.files import uploadhandler

    from myapp.storage import uploads

    bases = (uploads.LargeChunksMixin, uploadhandler.TemporaryFileUploadHandler)
    return type(name, bases, {"__module__": __name__})
