"""Fixtures of the previews' tests."""

import pytest

from tests.helpers.project import use_storage_dsn
from tests.helpers.s3 import S3_SERVERS
from tests.helpers.stores import Bucket, Container, Folder


@pytest.fixture(params=["file", *S3_SERVERS, "azure"])
def anywhere(request, settings, media_dir):
    """The default storage on each kind the project has: its folder, a fresh bucket of each S3
    server, a fresh Azure container; as a user sees it (``names()``, ``read(name)``)."""
    if request.param == "file":
        return Folder(media_dir)
    if request.param == "azure":
        return Container(request.getfixturevalue("azure_container"))
    bucket = request.getfixturevalue(request.param).new_bucket()
    use_storage_dsn(settings, bucket.dsn)
    return Bucket(bucket)
