"""Two instances are one site: two gunicorn servers, as a platform runs two containers, share one
PostgreSQL database and one S3 bucket. A file uploaded through one is listed, opened and deleted
through the other.

PostgreSQL only: two servers cannot share the tests' SQLite database (it lives in memory). CI runs
the whole suite on PostgreSQL as well, where this test runs; locally, set DATABASE_URL to a
PostgreSQL database.
"""

import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
import requests
from django.core.management import call_command
from django.db import connection

from tests.helpers import direct as direct_client
from uploader.models import UploadedFile

CHANGELIST = "/admin/uploader/uploadedfile/"
CONTENT = b"%PDF-1.4 shared by two instances\n" + bytes(range(256)) * 16
PASSWORD = "two-instances-password"

pytestmark = [
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


@pytest.mark.django_db(transaction=True)  # the servers see only what is committed
def test_a_file_uploaded_through_one_instance_is_listed_opened_and_deleted_through_the_other(
    gunicorn, s3_bucket, django_user_model
):
    environment = site(django_user_model, s3_bucket.dsn)
    first, second = gunicorn(**environment), gunicorn(**environment)
    # Each logs in on its own; the sessions live in the shared database.
    through_first, through_second = requests.Session(), requests.Session()
    log_in(through_first, first)
    log_in(through_second, second)

    add_url = f"{first.url}{CHANGELIST}add/"
    response = through_first.post(
        add_url,
        data={"csrfmiddlewaretoken": csrf_token(through_first, add_url)},
        files={"file": ("report.pdf", CONTENT, "application/pdf")},
    )
    assert response.url == f"{first.url}{CHANGELIST}", response.text[:2000]
    upload = UploadedFile.objects.get()

    listed = through_second.get(f"{second.url}{CHANGELIST}").text
    links = re.findall(r'<a href="(http[^"]+)">' + re.escape(upload.file.name) + "</a>", listed)
    assert links == [f"{s3_bucket.client.meta.endpoint_url}/{s3_bucket.name}/{upload.file.name}"]
    assert requests.get(links[0], timeout=10).content == CONTENT

    delete_url = f"{second.url}{CHANGELIST}{upload.pk}/delete/"
    response = through_second.post(
        delete_url,
        data={"post": "yes", "csrfmiddlewaretoken": csrf_token(through_second, delete_url)},
    )
    assert response.url == f"{second.url}{CHANGELIST}"
    assert upload.file.name not in through_first.get(f"{first.url}{CHANGELIST}").text
    assert not UploadedFile.objects.exists()
    assert s3_bucket.client.list_objects_v2(Bucket=s3_bucket.name).get("KeyCount") == 0


# Twenty uploads of one name at the same moment, through both instances: through the web server
# (the classic form) and straight from the "browser" to the storage (direct uploads).

SIMULTANEOUS = 20


def classic(session, server, content):
    add_url = f"{server.url}{CHANGELIST}add/"
    response = session.post(
        add_url,
        data={"csrfmiddlewaretoken": csrf_token(session, add_url)},
        # Over one S3 part, so that each goes up as a multipart upload while it arrives.
        files={"file": ("report.pdf", content, "application/pdf")},
        timeout=120,
    )
    return response.url == f"{server.url}{CHANGELIST}"


def direct(session, server, content):
    api = direct_client.SessionApi(session, server.url)
    return api.save(direct_client.upload(api, "report.pdf", content)).url.endswith(CHANGELIST)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", [classic, direct])
def test_simultaneous_uploads_of_one_name_all_keep_their_bytes_under_distinct_names(
    gunicorn, stored_cloud, django_user_model, settings, path
):
    environment = site(django_user_model, settings.DEFAULT_STORAGE_DSN)
    servers = [gunicorn(**environment), gunicorn(**environment)]
    sessions = [requests.Session() for _ in servers]
    for session, server in zip(sessions, servers, strict=True):
        log_in(session, server)
    contents = [os.urandom(9 * 1024 * 1024 + number) for number in range(SIMULTANEOUS)]

    with ThreadPoolExecutor(SIMULTANEOUS) as pool:
        saved = list(
            pool.map(
                lambda number: path(sessions[number % 2], servers[number % 2], contents[number]),
                range(SIMULTANEOUS),
            )
        )

    assert saved == [True] * SIMULTANEOUS
    rows = UploadedFile.objects.order_by("size")
    names = [row.file.name for row in rows]
    assert len(set(names)) == SIMULTANEOUS
    assert stored_cloud.names() == set(names)
    assert [stored_cloud.read(name) for name in names] == contents


@pytest.mark.django_db(transaction=True)
def test_failed_logins_through_one_instance_lock_out_on_the_other_until_unlocked(
    gunicorn, s3_bucket, django_user_model
):
    environment = site(django_user_model, s3_bucket.dsn)
    first, second = gunicorn(**environment), gunicorn(**environment)
    # As Divio's proxy forwards them: the client's address last in X-Forwarded-For.
    proxied = {"X-Forwarded-For": "203.0.113.5"}

    def attempt(server, password):
        session = requests.Session()
        session.headers.update(proxied)
        url = f"{server.url}/admin/login/"
        data = {"username": "admin", "password": password, "next": "/admin/"}
        data["csrfmiddlewaretoken"] = csrf_token(session, url)
        return session.post(url, data=data, allow_redirects=False, timeout=30).status_code

    failures = [attempt(first, "wrong") for _ in range(5)]
    refused = attempt(second, PASSWORD)
    call_command("axes_reset_ip", "203.0.113.5", stdout=io.StringIO())
    unlocked = attempt(second, PASSWORD)

    assert failures == [200, 200, 200, 200, 429]
    assert refused == 429
    assert unlocked == 302
