"""What a storage holds, looked at as a user would: on disk, or through the S3 API."""

from collections import Counter
from pathlib import Path


class Folder:
    """The files in a ``file://`` storage's folder, read on disk."""

    def __init__(self, root: Path):
        self.root = root

    def names(self):
        """Return the names of the stored files."""
        if not self.root.exists():
            return set()
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()}

    def read(self, name):
        """Return the bytes of the file ``name``."""
        return (self.root / name).read_bytes()

    def put(self, name, content):
        """Store ``content`` as ``name`` directly, as files long stored."""
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / name).write_bytes(content)

    def content_type(self, name):
        """Return None: a folder keeps no content type, the server derives it from the name."""
        return None


class Bucket:
    """The objects in a bucket, read with the S3 API."""

    def __init__(self, bucket):
        self.bucket = bucket

    def names(self):
        """Return the objects' keys, and the uploads begun but neither completed nor aborted.

        S3 keeps (and bills) the parts of such an upload, though no listing of objects shows it.
        """
        client, bucket = self.bucket.client, self.bucket.name
        objects = client.list_objects_v2(Bucket=bucket).get("Contents", [])
        uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        return {item["Key"] for item in objects} | {
            f"{item['Key']} (upload in progress)" for item in uploads
        }

    def _get(self, name):
        return self.bucket.client.get_object(Bucket=self.bucket.name, Key=name)

    def read(self, name):
        """Return the bytes of the object ``name``."""
        return self._get(name)["Body"].read()

    def put(self, name, content):
        """Store ``content`` as ``name`` directly, as objects long stored."""
        self.bucket.client.put_object(Bucket=self.bucket.name, Key=name, Body=content)

    def content_type(self, name):
        """Return the content type the object is served with."""
        return self._get(name)["ContentType"]


class Container:
    """The blobs in an Azure container, read with the Azure SDK."""

    def __init__(self, container):
        self.container = container

    def names(self):
        """Return the blobs' names, and those of blobs with blocks not yet committed."""
        listed = self.container.client.list_blobs(include=["uncommittedblobs"])
        return {blob.name for blob in listed}

    def read(self, name):
        """Return the bytes of the blob ``name``."""
        return self.container.client.download_blob(name).readall()


def uploads(store):
    """Return the names of the uploads in ``store``: its files at the top, where the admin stores
    them. The project's own files (the previews of images, say) are in folders of their own."""
    return {name for name in store.names() if "/" not in name and not name.startswith(".")}


def count_calls(monkeypatch, storage, names):
    """Count ``storage``'s calls of the methods ``names`` from now on: {name: calls}."""
    calls = Counter()
    for name in names:
        method = getattr(storage, name)

        def counted(*args, _name=name, _method=method, **kwargs):
            calls[_name] += 1
            return _method(*args, **kwargs)

        monkeypatch.setattr(storage, name, counted)
    return calls
