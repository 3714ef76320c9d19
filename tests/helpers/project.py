"""The project as the tests run it: its checkout, its commands, its settings for one test."""

import io
import shutil
import subprocess
import sys
from pathlib import Path

from myapp.storage.dsn import local_media

ROOT = Path(__file__).resolve().parents[2]
# The project's Django apps: each a top-level folder with an apps.py.
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))

# What Divio sets in a cloud environment.
PRODUCTION = {
    "SECRET_KEY": "x" * 50,
    "DATABASE_URL": "postgres://app:pw@db.example.com:5432/app",
    "DEFAULT_STORAGE_DSN": "s3://KEY:SECRET@bucket.s3-eu-central-1.amazonaws.com/?domain=bucket",
    "DOMAIN": "app.example.com",
}


def manage(*args, cwd=ROOT, **environment):
    """Run ``python manage.py ARGS`` with only ``environment`` set, as in a Docker build."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


NO_ISSUES = "System check identified no issues (0 silenced).\n"


def check():
    """Return what ``manage.py check`` prints in this process, with the test's settings."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("check", stdout=out)
    return out.getvalue()


def copy_project(folder):
    """Copy what a fresh clone holds of the project's code into ``folder``: manage.py and its
    apps, no data/, no venv."""
    shutil.copy(ROOT / "manage.py", folder)
    for app in APPS:
        shutil.copytree(ROOT / app, folder / app)
    return folder


def use_storage_dsn(settings, dsn):
    """Point DEFAULT_STORAGE_DSN at ``dsn`` for one test (pytest-django's ``settings`` fixture).

    Django drops its storage instances only when STORAGES changes, so setting the DSN alone would
    leave the old storage in place; MEDIA_ROOT and MEDIA_URL follow the DSN as in settings.py.
    """
    settings.DEFAULT_STORAGE_DSN = dsn
    settings.MEDIA_ROOT, settings.MEDIA_URL = local_media(dsn)
    settings.STORAGES = {**settings.STORAGES}


def copy_checkout(destination):
    """Copy the checkout's files as git sees them, committed or not, never ignored.

    That is what a fresh clone with your changes holds, without ./data, .venv or caches.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
