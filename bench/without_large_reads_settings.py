"""The project reading request bodies in Django's 64 KiB pieces instead of 1 MiB, for
``python -m bench.upload``: its own upload handlers otherwise.
"""

import functools

from bench.moto_settings import *  # noqa: F403
from bench.moto_settings import FILE_UPLOAD_HANDLERS

HANDLERS = [handler.rpartition(".")[2] for handler in FILE_UPLOAD_HANDLERS]
FILE_UPLOAD_HANDLERS = [f"{__name__}.{name}" for name in HANDLERS]


@functools.cache
def __getattr__(name):
    """The project's handler ``name`` with Django's chunk size, made when Django first asks for
    it: the handlers cannot be imported with the settings, as they import the project's models."""
    if name not in HANDLERS:
        raise AttributeError(name)
    from django.core.files import uploadhandler

    from myapp.storage import uploads

    chunk_size = uploadhandler.FileUploadHandler.chunk_size
    return type(name, (getattr(uploads, name),), {"chunk_size": chunk_size, "__module__": __name__})
