"""Fixtures for the whole suite: each test's own media folder, real storage servers, browsers."""

import importlib

import hypothesis
import pytest
import trustme
from django.core.management import call_command
from django.test import override_settings
from django.urls import clear_url_caches
from pytest_django.live_server_helper import LiveServer

import myapp.urls
from myapp import views
from tests.helpers import azurite as azurite_server
from tests.helpers import s3
from tests.helpers import seaweedfs as seaweedfs_server
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from tests.helpers.gunicorn import Gunicorn, production_environment
from tests.helpers.ports import free_port, port_can_be_bound
from tests.helpers.prerequisites import IN_CI, skip_unless_ci
from tests.helpers.project import use_storage_dsn
from tests.helpers.s3 import S3_SERVERS
from tests.helpers.servers import SilentServer
from tests.helpers.stores import Bucket, Container, Folder

# Tests must never read a developer's own AWS credentials or settings.
s3.isolate_from_aws_configuration()

# In CI the property-based tests draw the same examples on every run, so that a run is
# repeatable; locally they draw new ones each time, and remember those that failed.
hypothesis.settings.register_profile("ci", derandomize=True, database=None)
if IN_CI:
    hypothesis.settings.load_profile("ci")

VIOLATION = "Content-Security-Policy violation:"
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
# Pages rendered without the manifest that collectstatic writes; the servers the tests start
# (the gunicorn fixture) serve the collected files with the project's own storage.
PLAIN_STATIC_FILES = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


def pytest_report_header(config):
    import django
    from django.db import connection

    return (
        f"Django {django.__version__}, database: {connection.vendor} "
        f"({connection.settings_dict['NAME']})"
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Logins are not what the tests are about: Django's hasher spends most of a second on each."""
    settings.PASSWORD_HASHERS = [FAST_HASHER]


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path):
    """Store each test's uploads in a folder of its own, never in the checkout's data/media.

    Static files are not collected: pages link them by their plain names.
    """
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PLAIN_STATIC_FILES}
    media = tmp_path / "media"
    use_storage_dsn(settings, f"file://{media}/?url=%2Fmedia%2F")
    return media


@pytest.fixture(scope="session")
def collected_static_files(tmp_path_factory):
    """Collect the static files once, as the Docker build does; return their folder."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture(scope="session")
def moto():
    """moto over plain HTTP on a free port: quick, and checks no signature or checksum."""
    server = s3.MotoServer(free_port())
    yield server
    server.stop()


@pytest.fixture(scope="session", params=S3_SERVERS)
def s3_server(request):
    """An S3 server over plain HTTP, for the explicit-endpoint s3+http:// scheme: each test that
    uses it runs on moto and on SeaweedFS, or on those S3_SERVERS names."""
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="session")
def s3_tls_server(tmp_path_factory):
    """moto over TLS on 127.0.0.1:443 with a test CA.

    Divio's literal s3://KEY:SECRET@media.localhost/ form (endpoint https://localhost/) then
    runs unchanged.
    """
    if not port_can_be_bound(443):
        skip_unless_ci("port 443 on 127.0.0.1 cannot be bound (run as root, or it is in use)")
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    certificate = ca.issue_cert("localhost", "127.0.0.1")
    certificate.private_key_pem.write_to_path(folder / "key.pem")
    certificate.cert_chain_pems[0].write_to_path(folder / "cert.pem")
    with pytest.MonkeyPatch.context() as patch:
        environ = {}
        s3.trust(ca, folder, environ)
        for name, value in environ.items():
            patch.setenv(name, value)
        server = s3.MotoServer(443, folder / "cert.pem", folder / "key.pem")
        yield server
        server.stop()


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    """SeaweedFS, a production S3 server that checks signatures and checksums, on free ports."""
    if seaweedfs_server.weed() is None:
        skip_unless_ci(f"SeaweedFS is not installed: {seaweedfs_server.INSTALL}")
    server = seaweedfs_server.SeaweedFSServer(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


@pytest.fixture
def seaweedfs_bucket(settings, seaweedfs):
    """Make the default storage a fresh bucket of SeaweedFS (``client``, ``name``, ``dsn``)."""
    return use_new_bucket(settings, seaweedfs)


@pytest.fixture
def moto_bucket(settings, moto):
    """Make the default storage a fresh bucket of moto, which keeps ACLs and refuses writes to a
    bucket that does not exist (SeaweedFS makes one)."""
    return use_new_bucket(settings, moto)


@pytest.fixture
def s3_bucket(settings, s3_server):
    """Make the default storage a fresh bucket of each S3 server.

    It has a ``client``, a ``name`` and a ``dsn``: what a user of an S3-compatible service has.
    """
    return use_new_bucket(settings, s3_server)


def use_new_bucket(settings, server):
    bucket = server.new_bucket()
    use_storage_dsn(settings, bucket.dsn)
    return bucket


@pytest.fixture
def fresh_storage_check(monkeypatch):
    """Let /healthz check the test's own storage, not the result an earlier test left for a few
    seconds."""
    fresh = views.Recent(views.storage_status, views.STORAGE_CHECK_SECONDS)
    monkeypatch.setattr(views, "recent_storage_status", fresh)


@pytest.fixture
def silent_server():
    """A port that takes connections and never answers them."""
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def down_s3_dsn():
    """Return an s3+http:// DSN whose server is down: nothing listens on its port."""
    return s3.down_dsn(free_port())


@pytest.fixture(scope="session")
def azurite(tmp_path_factory):
    """Azurite, a real Azure Blob server, over plain HTTP on a free port, for az+http://."""
    if azurite_server.installed_version() != azurite_server.VERSION:
        skip_unless_ci(
            f"Azurite {azurite_server.VERSION} is not installed (it needs Node.js): "
            f"{azurite_server.INSTALL}"
        )
    server = azurite_server.AzuriteServer(free_port(), tmp_path_factory.mktemp("azurite"))
    yield server
    server.stop()


@pytest.fixture
def azure_container(settings, azurite):
    """Make the default storage a fresh public container of Azurite.

    It has a ``client``, a ``name`` and a ``dsn``: what a user of Azure Blob Storage has.
    """
    container = azurite.new_container()
    use_storage_dsn(settings, container.dsn)
    return container


@pytest.fixture(params=["file", *S3_SERVERS])
def stored(request, settings, media_dir):
    """The default storage as a user sees it: the test's media folder, or a fresh bucket of each
    S3 server. ``names()`` lists what is stored, ``read(name)`` returns its bytes."""
    if request.param == "file":
        return Folder(media_dir)
    return Bucket(use_new_bucket(settings, request.getfixturevalue(request.param)))


@pytest.fixture(params=[*S3_SERVERS, "azure"])
def stored_cloud(request, settings):
    """The default storage on a fresh bucket of each S3 server, or a fresh Azure container."""
    if request.param == "azure":
        return Container(request.getfixturevalue("azure_container"))
    return Bucket(use_new_bucket(settings, request.getfixturevalue(request.param)))


@pytest.fixture(params=["file", *S3_SERVERS, "azure"])
def stored_anywhere(request, settings, media_dir):
    """The default storage on each kind the project has: its folder, buckets, a container."""
    if request.param == "file":
        return Folder(media_dir)
    if request.param == "azure":
        return Container(request.getfixturevalue("azure_container"))
    return Bucket(use_new_bucket(settings, request.getfixturevalue(request.param)))


@pytest.fixture
def debug_urls(settings):
    """Build the URLconf as a DEBUG run does, with local media served at MEDIA_URL."""
    settings.DEBUG = True
    importlib.reload(myapp.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(myapp.urls)
    clear_url_caches()


@pytest.fixture
def gunicorn(collected_static_files, tmp_path):
    """Return ``start(**variables)``, which serves the project as in production with those
    variables until the test ends."""
    servers = []

    def start(**variables):
        environ = production_environment(TEST_STATIC_ROOT=str(collected_static_files), **variables)
        server = Gunicorn(environ, tmp_path / f"gunicorn-{len(servers)}.log")
        servers.append(server)
        server.wait_for()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    if not CHROMIUM.exists():
        skip_unless_ci("Chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an event loop running in this thread, and Django refuses
    # database calls from a thread with a running loop (SynchronousOnlyOperation). The tests'
    # own calls are plain synchronous code, so Django's documented switch is safe here.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """pytest-django's live server, started with a STATIC_ROOT folder that exists.

    It serves static files from the apps' folders by their plain names, as runserver does; the
    empty folder spares WhiteNoise's warning, as the server starts, that a fresh checkout has no
    staticfiles/.
    """
    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("live-server-static")):
        server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server, request):
    """A page of a fresh browser context on the live server, with ``screenshot_as(name)``.

    The live server serves static files from the apps' folders by their plain names, as
    runserver does. Its screenshots go to test-artifacts/browser/<test>/.
    """
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Every browser test also checks that the Content-Security-Policy stopped nothing.
    violations = []
    page.on("console", lambda m: m.text.startswith(VIOLATION) and violations.append(m.text))
    page.add_init_script(
        f"""addEventListener("securitypolicyviolation", (event) => console.log(
            `{VIOLATION} ${{event.violatedDirective}} ${{event.blockedURI}}`))"""
    )
    screens = SCREENSHOTS / request.node.name.replace("[", "-").rstrip("]")
    screens.mkdir(parents=True, exist_ok=True)
    page.screenshot_as = lambda name: page.screenshot(path=screens / f"{name}.png", full_page=True)
    yield page
    context.close()
    assert violations == []
