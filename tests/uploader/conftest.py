"""The uploader's tests run against both kinds of storage a user has: a local folder and a bucket
on a real S3 server (moto, over HTTP on loopback)."""

from pathlib import Path

import pytest


class Folder:
    """What is in the file:// storage's folder, looked at on disk."""

    def __init__(self, root: Path):
        self.root = root

    def names(self):
        if not self.root.exists():
            return set()
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()}

    def read(self, name):
        return (self.root / name).read_bytes()

    def put(self, name, content):
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / name).write_bytes(content)

    def content_type(self, name):
        return None  # a folder keeps no content type; the server derives it from the name


class Bucket:
    """What is in the storage's bucket, looked at with the S3 API."""

    def __init__(self, bucket):
        self.bucket = bucket

    def names(self):
        """Objects, and uploads begun but neither completed nor aborted: S3 keeps (and bills)
        their parts, though no listing of objects shows them."""
        client, bucket = self.bucket.client, self.bucket.name
        objects = client.list_objects_v2(Bucket=bucket).get("Contents", [])
        uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        return {item["Key"] for item in objects} | {
            f"{item['Key']} (upload in progress)" for item in uploads
        }

    def _get(self, name):
        return self.bucket.client.get_object(Bucket=self.bucket.name, Key=name)

    def read(self, name):
        return self._get(name)["Body"].read()

    def put(self, name, content):
        self.bucket.client.put_object(Bucket=self.bucket.name, Key=name, Body=content)

    def content_type(self, name):
        return self._get(name)["ContentType"]


@pytest.fixture(params=["file", "s3"])
def stored(request, media_dir):
    """The default storage as a user sees it: ``file`` (the test's media folder) or ``s3`` (a
    fresh bucket). ``names()`` lists what is stored, ``read(name)`` returns its bytes."""
    if request.param == "s3":
        return Bucket(request.getfixturevalue("s3_bucket"))
    return Folder(media_dir)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Logins are not what these tests are about: Django's default hasher spends most of a
    second on each user created."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
