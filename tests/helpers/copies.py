"""Storages filled and read back for the tests of copies (``copymedia``): folders, buckets and
containers with files in them, and the Sides that copy them."""

import io
from urllib.parse import quote

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from django_storage_url import get_storage

from myapp.storage.copying import open_side
from tests.helpers import s3


def folder_dsn(path):
    return f"file://{quote(str(path))}/?url=%2Fmedia%2F"


def fill_folder(root, files):
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)


def in_folder(root):
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def fill_bucket(bucket, files):
    for name, content in files.items():
        bucket.client.put_object(Bucket=bucket.name, Key=name, Body=content)


def upload_in_parts(bucket, name, content, part_size):
    """Store ``content`` as ``name`` the way boto3 uploads a file, in parts of ``part_size``."""
    config = TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size)
    bucket.client.upload_fileobj(io.BytesIO(content), bucket.name, name, Config=config)
    return bucket.client.head_object(Bucket=bucket.name, Key=name)["ETag"].strip('"')


def in_bucket(bucket):
    # Checksums in the answers not checked: moto gives an object copied from one uploaded in
    # parts the checksum of the source's parts, which is not that of its bytes.
    client = boto3.client(
        "s3",
        endpoint_url=bucket.client.meta.endpoint_url,
        region_name=bucket.client.meta.region_name,
        aws_access_key_id=s3.KEY,
        aws_secret_access_key=s3.SECRET,
        config=Config(response_checksum_validation="when_required"),
    )
    listed = client.list_objects_v2(Bucket=bucket.name).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=bucket.name, Key=item["Key"])["Body"].read()
        for item in listed
    }


def in_container(container):
    read = container.client.download_blob
    return {blob.name: read(blob.name).readall() for blob in container.client.list_blobs()}


def listed_side(dsn):
    """Return the Side of the storage ``dsn`` names, its files listed."""
    side = open_side(get_storage(dsn))
    side.list()
    return side
