"""Only GET and HEAD /healthz skip the Host check and the HTTPS redirect; everything else keeps
both, as production has them."""

import pytest

from tests.helpers.project import use_storage_dsn

PROBE_HOST = "10.0.0.7:80"  # a container's address, as a probe uses it


@pytest.fixture(autouse=True)
def production_security(settings):
    settings.ALLOWED_HOSTS = ["app.example.com"]
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "head"])
def test_healthz_answers_a_probe_by_address_over_http(client, method):
    response = getattr(client, method)("/healthz", HTTP_HOST=PROBE_HOST)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/admin/login/"), ("get", "/healthz/"), ("get", "/healthz/x"), ("post", "/healthz")],
)
def test_any_other_request_from_an_unknown_host_is_refused(client, method, path):
    assert getattr(client, method)(path, HTTP_HOST=PROBE_HOST).status_code == 400


def test_any_other_request_over_http_is_redirected_to_https(client):
    response = client.get("/admin/login/", HTTP_HOST="app.example.com")
    assert (response.status_code, response.url) == (301, "https://app.example.com/admin/login/")


# The Content-Security-Policy of every page, with the media storage's origins


def policy(response):
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split("; ")
    }


@pytest.mark.django_db
def test_every_page_allows_the_site_s_own_scripts_only(client, settings):
    settings.SECURE_SSL_REDIRECT = False
    directives = policy(client.get("/admin/login/", HTTP_HOST="app.example.com"))

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]  # file storage takes no direct uploads
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in str(directives)


@pytest.mark.django_db
def test_a_bucket_s_origin_is_allowed_for_its_links(client, settings, s3_bucket, s3_server):
    settings.SECURE_SSL_REDIRECT = False
    directives = policy(client.get("/admin/login/", HTTP_HOST="app.example.com"))

    assert directives["img-src"] == ["'self'", s3_server.endpoint]
    assert directives["media-src"] == ["'self'", s3_server.endpoint]
    assert directives["connect-src"] == ["'self'"]


@pytest.mark.django_db
def test_a_cdn_s_origin_is_allowed_for_the_links(client, settings, s3_bucket):
    settings.SECURE_SSL_REDIRECT = False
    use_storage_dsn(settings, s3_bucket.dsn + "?url=https%3A%2F%2Fcdn.example.com%2Fmedia%2F")
    directives = policy(client.get("/admin/login/", HTTP_HOST="app.example.com"))

    assert directives["img-src"] == ["'self'", "https://cdn.example.com"]
