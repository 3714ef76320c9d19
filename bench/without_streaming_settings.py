"""The project without its streaming S3 upload handler, for ``python -m bench.upload``.

A file over 2.5 MB is received into a temporary file, then sent to S3 by django-storages when
the form is saved (with the project's AWS_S3_TRANSFER_CONFIG).
"""

from bench.moto_settings import *  # noqa: F403
from bench.moto_settings import FILE_UPLOAD_HANDLERS

FILE_UPLOAD_HANDLERS = [
    handler for handler in FILE_UPLOAD_HANDLERS if not handler.endswith(".S3UploadHandler")
]
