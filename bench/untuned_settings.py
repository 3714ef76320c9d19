"""The project's settings without its upload tuning, for ``python -m bench.upload --untuned``.

Django's own upload handlers and boto3's default S3 transfers, as the tutorial's project has them
(and, as bench/upload.py runs it, glibc's allocator as it comes).
"""

from django.conf import global_settings

from bench.moto_settings import *  # noqa: F403

FILE_UPLOAD_HANDLERS = global_settings.FILE_UPLOAD_HANDLERS
AWS_S3_TRANSFER_CONFIG = None
