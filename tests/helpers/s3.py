"""A real S3-compatible server for the tests and benchmarks: moto's server mode, in a process.

It speaks the S3 HTTP API (multipart uploads and CORS rules included) and keeps bytes and ACLs
exactly; it does not check signatures, so any key and secret will do.
"""

import os
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

from tests.helpers.servers import LocalServer

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

# The S3 servers every S3 test runs on: moto, quick, and SeaweedFS, which behaves like AWS
# (S3_SERVERS=moto for a quick local run; CI runs both).
S3_SERVERS = os.environ.get("S3_SERVERS", "moto,seaweedfs").split(",")
# Credentials of another account, for copies between two of them (SeaweedFS knows them too).
OTHER_KEY, OTHER_SECRET = "OTHERKEYOTHERKEY", "other"
# A secret with the characters a DSN must percent-encode.
KEY, SECRET = "AKIDTESTTESTTEST", "test/secret+with=specials"


def isolate_from_aws_configuration(environ=os.environ):
    """Keep a developer's own AWS variables and files out of ``environ``."""
    for name in AWS_VARIABLES:
        environ.pop(name, None)
    environ["AWS_CONFIG_FILE"] = environ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent"


class MotoServer(LocalServer):
    """``python -m moto.server`` on 127.0.0.1:PORT, over TLS when given a certificate."""

    name = "moto server"

    def __init__(self, port, certificate=None, private_key=None):
        self.scheme = "https" if certificate else "http"
        tls = ["--ssl-cert", str(certificate), "--ssl-key", str(private_key)] if certificate else []
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port), *tls]
        super().__init__(port, command)

    @property
    def endpoint(self):
        host = "localhost" if self.scheme == "https" else "127.0.0.1"
        return f"{self.scheme}://{host}:{self.port}"

    def client(self, config=None):
        """Return a boto3 S3 client for this server, with botocore's ``config`` if given."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
            config=config,
        )

    def dsn(self, bucket):
        """Return the ``s3+http://`` DSN of one of this server's buckets."""
        return http_dsn(self.endpoint, bucket)

    def new_bucket(self):
        """Return a fresh bucket of this server (``client``, ``name``, ``dsn``)."""
        client = self.client()
        name = f"media-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=name)
        return SimpleNamespace(client=client, name=name, dsn=self.dsn(name))


def http_dsn(endpoint, bucket):
    """Return the ``s3+http://`` DSN of ``bucket`` at the server ``http://HOST:PORT``."""
    host = endpoint.removeprefix("http://")
    return f"s3+http://{KEY}:{quote(SECRET, safe='')}@{host}/{bucket}"


def down_dsn(port):
    """Return an ``s3+http://`` DSN of a server that does not answer (nothing on ``port``)."""
    return f"s3+http://{KEY}:{quote(SECRET, safe='')}@127.0.0.1:{port}/media"


def trust(ca, folder: Path, environ=os.environ):
    """Make ``ca`` trusted by every client, on top of the certificates already trusted."""
    system = Path(environ.get("SSL_CERT_FILE") or SYSTEM_CA_BUNDLE)
    bundle = folder / "ca-bundle.pem"
    bundle.write_bytes(system.read_bytes() + b"\n" + ca.cert_pem.bytes())
    for name in CA_BUNDLE_VARIABLES:
        environ[name] = str(bundle)
