"""Two instances are one site: two gunicorn servers, as a platform runs two containers, share one
PostgreSQL database and one S3 bucket. A file uploaded through one is listed, opened and deleted
through the other.

PostgreSQL only: two servers cannot share the tests' SQLite database (it lives in memory). CI runs
the whole suite on PostgreSQL as well, where this test runs; locally, set DATABASE_URL to a
PostgreSQL database.
"""

import io
import re

import pytest
import requests
from django.core.management import call_command

from tests.helpers.instances import (
    CHANGELIST,
    PASSWORD,
    assert_kept_apart,
    csrf_token,
    log_in,
    needs_postgresql,
    site,
    upload_together,
)
from uploader.models import UploadedFile

CONTENT = b"%PDF-1.4 shared by two instances\n" + bytes(range(256)) * 16

pytestmark = needs_postgresql


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
    links = re.findall(r'<a href="(http[^"]+)" aria-label="Open ' + re.escape(upload.name), listed)
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


def classic(session, server, content):
    add_url = f"{server.url}{CHANGELIST}add/"
    response = session.post(
        add_url,
        data={"csrfmiddlewaretoken": csrf_token(session, add_url)},
        # Over one S3 part, so that each goes up as a multipart upload while it arrives.
        files={"file": ("report.pdf", content, "application/pdf")},
        # As a browser sends it, so that the file goes to the bucket while it arrives.
        headers={"Origin": server.url},
        timeout=120,
    )
    return response.url == f"{server.url}{CHANGELIST}"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_uploads_of_one_name_all_keep_their_bytes_under_distinct_names(
    gunicorn, stored_cloud, django_user_model, settings
):
    contents, saved = upload_together(
        gunicorn, django_user_model, settings.DEFAULT_STORAGE_DSN, classic
    )

    assert_kept_apart(stored_cloud, contents, saved)


@pytest.mark.django_db(transaction=True)
def test_failed_logins_through_one_instance_lock_out_on_the_other_until_unlocked(
    gunicorn, s3_bucket, django_user_model
):
    # Behind Divio's proxy, which adds the client's address last to X-Forwarded-For.
    environment = site(django_user_model, s3_bucket.dsn) | {"TRUSTED_PROXY_COUNT": "1"}
    first, second = gunicorn(**environment), gunicorn(**environment)
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
