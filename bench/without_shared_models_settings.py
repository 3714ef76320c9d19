"""The project without its shared boto3 models, for ``python -m bench.upload``.

Each boto3 session that django-storages makes (one per thread and storage) reads botocore's
models itself, as django-storages' own ``_create_session`` does.
"""

from bench.moto_settings import *  # noqa: F403
from myapp.storage.sessions import SharedModelsMixin

# The S3 storages then take django-storages' own method, next in their bases.
del SharedModelsMixin._create_session
