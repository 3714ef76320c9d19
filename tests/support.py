"""Helpers shared by the tests."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from myapp.dsn import local_media

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION = {  # what Divio sets in a cloud environment
    "SECRET_KEY": "x" * 50,
    "DATABASE_URL": "postgres://app:pw@db.example.com:5432/app",
    "DEFAULT_STORAGE_DSN": "s3://KEY:SECRET@bucket.s3-eu-central-1.amazonaws.com/?domain=bucket",
    "DOMAIN": "app.example.com",
}


def manage(*args, cwd=ROOT, **environment):
    """``python manage.py ARGS`` with only ``environment`` set, as in a Docker build."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def use_storage_dsn(settings, dsn):
    """Point DEFAULT_STORAGE_DSN at ``dsn`` for one test (pytest-django's ``settings`` fixture).

    Django drops its storage instances only when STORAGES changes, so setting the DSN alone would
    leave the old storage in place; MEDIA_ROOT and MEDIA_URL follow the DSN as in settings.py.
    """
    settings.DEFAULT_STORAGE_DSN = dsn
    settings.MEDIA_ROOT, settings.MEDIA_URL = local_media(dsn)
    settings.STORAGES = {**settings.STORAGES}


def write_random_file(path, mebibytes):
    """Fill ``path`` with random bytes, a MiB at a time (nothing large in memory); return
    their SHA-256, to compare with ``sha256(chunks)`` of what comes back."""
    digest = hashlib.sha256()
    with path.open("wb") as file:
        for _ in range(mebibytes):
            chunk = os.urandom(1024 * 1024)
            digest.update(chunk)
            file.write(chunk)
    return digest.hexdigest()


def sha256(chunks):
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


ADMIN_ADD_URL = "/admin/uploader/uploadedfile/add/"


def admin_upload(client, name, content):
    """POST the admin's add form with one file, as the browser does."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(ADMIN_ADD_URL, {"file": SimpleUploadedFile(name, content)})
