import importlib

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import clear_url_caches

import myapp.urls
from tests.support import use_storage_dsn


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once, as the Docker build does: pages rendered with DEBUG off need
    the manifest that collectstatic writes."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture(autouse=True)
def media_dir(settings, tmp_path, static_root):
    """Every test stores its uploads in a folder of its own, never in the checkout's data/media."""
    settings.STATIC_ROOT = static_root
    media = tmp_path / "media"
    use_storage_dsn(settings, f"file://{media}/?url=%2Fmedia%2F")
    return media


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


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"
