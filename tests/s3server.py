"""A real S3-compatible server for the tests: moto's server mode, in a process of its own.

It speaks the S3 HTTP API (multipart included) and keeps bytes and ACLs exactly; it does not check
signatures, so any key and secret will do.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.helpers.ports import free_port, port_can_be_bound  # noqa: F401 - used as s3server.free_port

# The variables through which a developer's own AWS set-up could leak into the tests.
AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
)
# The variables through which Python, requests, curl and boto3 find trusted certificates.
CA_BUNDLE_VARIABLES = ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

KEY, SECRET = "AKIDTESTTESTTEST", "test/secret+with=specials"


def isolate_from_aws_configuration(environ=os.environ):
    for name in AWS_VARIABLES:
        environ.pop(name, None)
    environ["AWS_CONFIG_FILE"] = environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent"


class LocalServer:
    """A server process listening on 127.0.0.1:PORT, until stop().

    Its output goes to a temporary file, not a pipe: nobody reads a pipe while the tests run, and
    a server that logs every request (moto does) would hang once the pipe's 64 KiB are full.
    """

    name = "server"

    def __init__(self, port, command):
        self.port = port
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_listening()

    def _wait_until_listening(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"{self.name} exited: {self.log.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not listen on port {self.port} in {timeout} s")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class MotoServer(LocalServer):
    """``python -m moto.server`` on 127.0.0.1:PORT, over TLS when given a certificate."""

    name = "moto server"

    def __init__(self, port, certificate=None, private_key=None):
        self.scheme = "https" if certificate else "http"
        tls = ["--ssl-cert", str(certificate), "--ssl-key", str(private_key)] if certificate else []
        super().__init__(
            port, [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port), *tls]
        )

    @property
    def endpoint(self):
        host = "localhost" if self.scheme == "https" else "127.0.0.1"
        return f"{self.scheme}://{host}:{self.port}"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
        )


def trust(ca, folder: Path, environ=os.environ):
    """Make ``ca`` trusted by every client, on top of the certificates already trusted."""
    system = Path(environ.get("SSL_CERT_FILE") or SYSTEM_CA_BUNDLE)
    bundle = folder / "ca-bundle.pem"
    bundle.write_bytes(system.read_bytes() + b"\n" + ca.cert_pem.bytes())
    for name in CA_BUNDLE_VARIABLES:
        environ[name] = str(bundle)
