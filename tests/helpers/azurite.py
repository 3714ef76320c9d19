"""A real Azure Blob server for the tests: Azurite, Microsoft's emulator (npm), in a process.

It listens on a free port and keeps its data in a temporary folder.
Azurite serves path-style URLs (``http://127.0.0.1:PORT/ACCOUNT/CONTAINER/BLOB``), checks shared
key and SAS signatures, and serves the blobs of public containers to anonymous requests.
"""

import shutil
import subprocess
import uuid
from types import SimpleNamespace
from urllib.parse import quote

from tests.helpers.servers import LocalServer

# Azurite 3.36 and later need Node 21+; 3.35 runs on the Node 20 that Debian's machines have.
VERSION = "3.35.0"
INSTALL = f"npm install --global azurite@{VERSION}"

# Azurite's one built-in account and key, published in its documentation.
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def installed_version():
    """Return the version of the ``azurite-blob`` on PATH, or None where there is none."""
    command = shutil.which("azurite-blob")
    if command is None:
        return None
    return subprocess.run([command, "--version"], capture_output=True, text=True).stdout.strip()


class AzuriteServer(LocalServer):
    """``azurite-blob`` on 127.0.0.1:PORT, keeping its blobs in ``folder``."""

    name = "Azurite"

    def __init__(self, port, folder):
        super().__init__(
            port,
            [
                "azurite-blob",
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(port),
                "--location",
                str(folder),
                "--disableTelemetry",
                "--silent",
                # Current Azure SDKs send API versions newer than an Azurite release knows.
                "--skipApiVersionCheck",
            ],
        )
        self.endpoint = f"http://127.0.0.1:{port}/{ACCOUNT}"

    def client(self):
        """Return an Azure SDK client for this server's account."""
        from azure.storage.blob import BlobServiceClient

        credential = {"account_name": ACCOUNT, "account_key": KEY}
        return BlobServiceClient(self.endpoint, credential=credential)

    def dsn(self, container, credential=KEY):
        """Return the ``az+http://`` DSN of one of this server's containers."""
        host = self.endpoint.removeprefix("http://")
        return f"az+http://{ACCOUNT}:{quote(credential, safe='')}@{host}/{container}"

    def new_container(self):
        """Return a fresh container whose blobs anyone may read, as public media need.

        It has a ``client``, a ``name`` and a ``dsn``.
        """
        name = f"media-{uuid.uuid4().hex[:12]}"
        client = self.client().create_container(name, public_access="blob")
        return SimpleNamespace(client=client, name=name, dsn=self.dsn(name))
