"""myapp/settings.py read afresh under a given environment, one variable at a time."""

import runpy

import pytest

from tests.helpers.dsns import MALFORMED
from tests.helpers.project import PRODUCTION, ROOT, copy_project, manage

VARIABLES = (
    "DJANGO_DEBUG",
    "SECRET_KEY",
    "DOMAIN",
    "DOMAIN_ALIASES",
    "DOMAIN_REDIRECTS",
    "SECURE_SSL_REDIRECT",
    "DATABASE_URL",
    "DEFAULT_STORAGE_DSN",
)


@pytest.fixture
def load(monkeypatch):
    def load(**environment):
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(ROOT / "myapp" / "settings.py"))

    return load


@pytest.mark.parametrize(
    ("value", "debug"),
    [("True", True), ("true", False), ("1", False), ("yes", False), ("", False), (None, False)],
)
def test_debug_is_on_only_for_the_exact_string_true(load, value, debug):
    assert load(**({} if value is None else {"DJANGO_DEBUG": value}))["DEBUG"] is debug


def test_secret_key_comes_from_the_environment(load):
    assert load(SECRET_KEY="s3cr3t")["SECRET_KEY"] == "s3cr3t"


def test_secret_key_has_a_local_fallback_only_in_debug(load):
    assert load(DJANGO_DEBUG="True")["SECRET_KEY"].startswith("django-insecure-")
    assert load()["SECRET_KEY"] == ""


def test_allowed_hosts_join_the_three_domain_variables(load):
    settings = load(
        DOMAIN="app.example.com",
        DOMAIN_ALIASES="localhost, 127.0.0.1,,",
        DOMAIN_REDIRECTS=" www.example.com ,old.example.com",
    )
    assert settings["ALLOWED_HOSTS"] == [
        "app.example.com",
        "localhost",
        "127.0.0.1",
        "www.example.com",
        "old.example.com",
    ]
    assert settings["CSRF_TRUSTED_ORIGINS"][0] == "https://app.example.com"


def test_allowed_hosts_are_empty_without_domains(load):
    assert load()["ALLOWED_HOSTS"] == []


@pytest.mark.parametrize(
    ("environment", "redirect"),
    [
        ({}, True),
        ({"SECURE_SSL_REDIRECT": "False"}, False),
        ({"SECURE_SSL_REDIRECT": "false"}, True),
        ({"SECURE_SSL_REDIRECT": "True"}, True),
        ({"DJANGO_DEBUG": "True"}, False),
        ({"DJANGO_DEBUG": "True", "SECURE_SSL_REDIRECT": "True"}, True),
    ],
)
def test_ssl_redirect_is_on_unless_false_or_a_local_debug_run(load, environment, redirect):
    settings = load(**environment)
    assert settings["SECURE_SSL_REDIRECT"] is redirect
    assert settings["SESSION_COOKIE_SECURE"] is settings["CSRF_COOKIE_SECURE"] is redirect
    assert bool(settings["SECURE_HSTS_SECONDS"]) is redirect


def test_the_tls_proxy_header_is_trusted(load):
    assert load()["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_database_url_is_parsed(load):
    database = load(DATABASE_URL="postgres://app:pw@db.example.com:5432/app")["DATABASES"][
        "default"
    ]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.example.com", 5432, "app")
    assert (database["USER"], database["PASSWORD"]) == ("app", "pw")


def test_database_defaults_to_sqlite_in_data_only_in_debug(load):
    database = load(DJANGO_DEBUG="True")["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(ROOT / "data" / "db.sqlite3")
    assert load()["DATABASES"] == {}


def test_storage_dsn_and_local_media_follow_the_environment(load):
    settings = load(DEFAULT_STORAGE_DSN="file:///data/media/?url=%2Fmedia%2F")
    assert settings["DEFAULT_STORAGE_DSN"] == "file:///data/media/?url=%2Fmedia%2F"
    assert (settings["MEDIA_ROOT"], settings["MEDIA_URL"]) == ("/data/media/", "/media/")


def test_storage_defaults_to_data_media_only_in_debug(load):
    settings = load(DJANGO_DEBUG="True")
    assert settings["MEDIA_ROOT"] == f"{ROOT / 'data' / 'media'}/"
    assert settings["MEDIA_URL"] == "/media/"
    assert load()["DEFAULT_STORAGE_DSN"] == ""


def test_cloud_storage_has_no_local_media(load):
    settings = load(DEFAULT_STORAGE_DSN=PRODUCTION["DEFAULT_STORAGE_DSN"])
    assert (settings["MEDIA_ROOT"], settings["MEDIA_URL"]) == ("", "")


def test_storages_use_the_dsn_class_not_the_removed_setting(load):
    settings = load()
    assert settings["STORAGES"]["default"]["BACKEND"] == "myapp.settings.DefaultStorageClass"
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert "DEFAULT_FILE_STORAGE" not in settings


def test_collectstatic_runs_with_no_environment_at_all(tmp_path):
    result = manage("collectstatic", "--noinput", cwd=copy_project(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles" / "admin" / "css" / "base.css").is_file()
    assert (tmp_path / "staticfiles" / "staticfiles.json").is_file()  # the manifest


# An environment variable cannot hold a NUL character.
SETTABLE = [value for value, _ in MALFORMED if "\x00" not in value]


@pytest.mark.parametrize("value", SETTABLE)
def test_settings_import_whatever_the_storage_dsn(load, value):
    settings = load(DJANGO_DEBUG="True", DEFAULT_STORAGE_DSN=value)
    assert settings["DEFAULT_STORAGE_DSN"] == value
    assert settings["MEDIA_URL"] == "" or settings["MEDIA_URL"].endswith("/")


def test_a_malformed_dsn_leaves_collectstatic_working_and_is_named_by_the_check(tmp_path):
    broken = "s3+http://KEY:Sup3rSecret@127.0.0.1:99999/media"
    copy_project(tmp_path)

    collected = manage("collectstatic", "--noinput", cwd=tmp_path, DEFAULT_STORAGE_DSN=broken)
    checked = manage("check", cwd=tmp_path, DJANGO_DEBUG="True", DEFAULT_STORAGE_DSN=broken)

    assert collected.returncode == 0, collected.stderr
    assert checked.returncode == 1
    assert (
        "(myapp.E002) DEFAULT_STORAGE_DSN is not a usable storage DSN: its port" in checked.stderr
    )
    assert "Traceback" not in checked.stderr
    assert "Sup3rSecret" not in checked.stdout + checked.stderr
