"""The Content-Security-Policy of the pages with direct uploads: their parts may go to the
storage's endpoint, and only there."""

import pytest

from tests.helpers.admin import ADD_URL, CHANGELIST
from tests.helpers.project import use_storage_dsn

pytestmark = pytest.mark.django_db


def policy(response):
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split("; ")
    }


def test_the_add_page_and_the_list_may_send_parts_to_the_bucket_s_endpoint_and_no_other_page(
    admin_client, s3_bucket, s3_server
):
    form = policy(admin_client.get(ADD_URL))
    listing = policy(admin_client.get(CHANGELIST))  # its drop zone sends files too
    elsewhere = policy(admin_client.get("/admin/auth/user/"))

    assert form["connect-src"] == ["'self'", s3_server.endpoint]
    assert form["img-src"] == ["'self'", s3_server.endpoint]
    assert listing["connect-src"] == ["'self'", s3_server.endpoint]
    assert elsewhere["connect-src"] == ["'self'"]


def test_a_cdn_serves_the_links_and_the_endpoint_takes_the_uploads(
    admin_client, settings, s3_bucket, s3_server
):
    use_storage_dsn(settings, s3_bucket.dsn + "?url=https%3A%2F%2Fcdn.example.com%2Fmedia%2F")
    directives = policy(admin_client.get(ADD_URL))

    assert directives["img-src"] == ["'self'", "https://cdn.example.com"]
    assert directives["connect-src"] == ["'self'", s3_server.endpoint]


def test_the_origin_follows_the_storage_when_the_settings_change(
    admin_client, settings, s3_bucket, s3_server
):
    policy(admin_client.get(ADD_URL))
    # The same server under another name: another origin, as another server would be.
    elsewhere = s3_server.endpoint.replace("127.0.0.1", "localhost")
    use_storage_dsn(settings, s3_bucket.dsn.replace("@127.0.0.1:", "@localhost:"))

    assert policy(admin_client.get(ADD_URL))["connect-src"] == ["'self'", elsewhere]


def test_file_storage_takes_no_direct_uploads(admin_client):
    assert policy(admin_client.get(ADD_URL))["connect-src"] == ["'self'"]
