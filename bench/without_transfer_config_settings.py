"""The project with boto3's own S3 transfer settings (parts of 8 MiB, ten on their way at a
time) instead of AWS_S3_TRANSFER_CONFIG's, for ``python -m bench.upload``.
"""

from bench.moto_settings import *  # noqa: F403

AWS_S3_TRANSFER_CONFIG = None
