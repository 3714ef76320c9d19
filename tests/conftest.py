import importlib
import os
import uuid
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import clear_url_caches

import myapp.urls
from tests import azurite as azurite_server
from tests import s3server, webserver
from tests.support import use_storage_dsn

IN_CI = os.environ.get("CI") == "true"

# Tests must never read a developer's own AWS credentials or settings.
s3server.isolate_from_aws_configuration()


def skip_unless_ci(reason):
    """Skip locally for a missing prerequisite; in CI a missing prerequisite is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once, as the Docker build does: pages rendered with DEBUG off need
    the manifest that collectstatic writes. Set for the whole session, so that the live server
    (started once, before any test's own settings) serves them too."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path, static_root):
    """Every test stores its uploads in a folder of its own, never in the checkout's data/media,
    and finds the static files collected for the session."""
    media = tmp_path / "media"
    use_storage_dsn(settings, f"file://{media}/?url=%2Fmedia%2F")
    return media


@pytest.fixture(scope="session")
def s3_server():
    """moto over plain HTTP on a free port, for the explicit-endpoint s3+http:// scheme."""
    server = s3server.MotoServer(s3server.free_port())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_tls_server(tmp_path_factory):
    """moto over TLS on 127.0.0.1:443 with a test CA, so that Divio's literal
    s3://KEY:SECRET@media.localhost/ form (endpoint https://localhost/) runs unchanged."""
    if not s3server.port_can_be_bound(443):
        skip_unless_ci("port 443 on 127.0.0.1 cannot be bound (run as root, or it is in use)")
    import trustme

    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    certificate = ca.issue_cert("localhost", "127.0.0.1")
    certificate.private_key_pem.write_to_path(folder / "key.pem")
    certificate.cert_chain_pems[0].write_to_path(folder / "cert.pem")
    with pytest.MonkeyPatch.context() as patch:
        environ = {}
        s3server.trust(ca, folder, environ)
        for name, value in environ.items():
            patch.setenv(name, value)
        server = s3server.MotoServer(443, folder / "cert.pem", folder / "key.pem")
        yield server
        server.stop()


def new_bucket(server):
    client = server.client()
    name = f"media-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return SimpleNamespace(client=client, name=name)


@pytest.fixture
def s3_bucket(settings, s3_server):
    """The default storage on a fresh bucket of the HTTP moto server (``client``, ``name``,
    ``dsn``): what a user of an S3-compatible service has."""
    bucket = new_bucket(s3_server)
    host = s3_server.endpoint.removeprefix("http://")
    bucket.dsn = f"s3+http://{s3server.KEY}:{quote(s3server.SECRET, safe='')}@{host}/{bucket.name}"
    use_storage_dsn(settings, bucket.dsn)
    return bucket


@pytest.fixture(scope="session")
def azurite(tmp_path_factory):
    """Azurite, a real Azure Blob server, over plain HTTP on a free port, for az+http://."""
    if azurite_server.installed_version() != azurite_server.VERSION:
        skip_unless_ci(
            f"Azurite {azurite_server.VERSION} is not installed (it needs Node.js): "
            f"{azurite_server.INSTALL}"
        )
    server = azurite_server.AzuriteServer(s3server.free_port(), tmp_path_factory.mktemp("azurite"))
    yield server
    server.stop()


@pytest.fixture
def azure_container(settings, azurite):
    """The default storage on a fresh public container of Azurite (``client``, ``name``,
    ``dsn``): what a user of Azure Blob Storage has."""
    container = azurite.new_container()
    use_storage_dsn(settings, container.dsn)
    return container


@pytest.fixture
def down_s3_dsn():
    """An s3+http:// DSN whose server is down: nothing listens on its port."""
    secret = quote(s3server.SECRET, safe="")
    return f"s3+http://{s3server.KEY}:{secret}@127.0.0.1:{s3server.free_port()}/media"


@pytest.fixture
def debug_urls(settings):
    """The URLconf as a DEBUG run builds it, with local media served at MEDIA_URL."""
    settings.DEBUG = True
    importlib.reload(myapp.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(myapp.urls)
    clear_url_caches()


@pytest.fixture
def gunicorn(static_root, tmp_path):
    """``gunicorn(**variables)`` serves the project as in production (tests/webserver.py) with
    those variables, until the test ends."""
    servers = []

    def start(**variables):
        log = tmp_path / f"gunicorn-{len(servers)}.log"
        servers.append(webserver.Gunicorn(log, TEST_STATIC_ROOT=str(static_root), **variables))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"
