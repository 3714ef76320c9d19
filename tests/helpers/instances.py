"""Two instances of one site, as a platform runs two containers: two gunicorn servers sharing
one PostgreSQL database (the tests' own, which pytest-django made) and one storage.

PostgreSQL only: two servers cannot share the tests' SQLite database (it lives in memory).
"""

import os
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests
from django.db import connection

CHANGELIST = "/admin/uploader/uploadedfile/"
PASSWORD = "two-instances-password"
# Uploads of one name at the same moment, through both instances.
SIMULTANEOUS = 20

needs_postgresql = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two servers need a shared PostgreSQL database: set DATABASE_URL (CI does)",
    ),
]


def database_url():
    """The tests' own PostgreSQL database, which pytest-django created."""
    database = connection.settings_dict
    credentials = f"{quote(database['USER'], safe='')}:{quote(database['PASSWORD'], safe='')}"
    return f"postgres://{credentials}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def csrf_token(session, url):
    page = session.get(url)
    page.raise_for_status()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]


def site(django_user_model, storage_dsn):
    """Return the variables of two instances of one site, whose admin user it makes."""
    django_user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    return {
        "DATABASE_URL": database_url(),
        "DEFAULT_STORAGE_DSN": storage_dsn,
        "DOMAIN": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback, no TLS proxy in front
    }


def log_in(session, server):
    url = f"{server.url}/admin/login/"
    response = session.post(
        url,
        data={
            "username": "admin",
            "password": PASSWORD,
            "next": "/admin/",
            "csrfmiddlewaretoken": csrf_token(session, url),
        },
    )
    assert response.url == f"{server.url}/admin/", response.text[:2000]


def upload_together(gunicorn, django_user_model, storage_dsn, upload):
    """Run ``upload(session, server, content)`` for SIMULTANEOUS files of one name at once, taking
    two instances of one site in turn, each logged in; return the contents, in order, and what
    each upload returned."""
    environment = site(django_user_model, storage_dsn)
    servers = [gunicorn(**environment), gunicorn(**environment)]
    sessions = [requests.Session() for _ in servers]
    for session, server in zip(sessions, servers, strict=True):
        log_in(session, server)
    # Over one S3 part, so that each goes up in parts.
    contents = [os.urandom(9 * 1024 * 1024 + number) for number in range(SIMULTANEOUS)]

    def one(number):
        turn = number % len(servers)
        return upload(sessions[turn], servers[turn], contents[number])

    with ThreadPoolExecutor(len(contents)) as pool:
        return contents, list(pool.map(one, range(len(contents))))


def assert_kept_apart(stored, contents, saved):
    """Check that every upload of one name was saved, under a name of its own, with its bytes."""
    from uploader.models import UploadedFile

    assert saved == [True] * SIMULTANEOUS
    names = [row.file.name for row in UploadedFile.objects.order_by("size")]
    assert len(set(names)) == SIMULTANEOUS
    assert stored.names() == set(names)
    assert [stored.read(name) for name in names] == contents
