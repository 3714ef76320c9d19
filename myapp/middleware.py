import functools
from urllib.parse import urlsplit

from django.conf import settings

from myapp.storage.backends import InvalidDSN, open_storage
from myapp.views import healthz

HEALTHZ_PATH = "/healthz"


class HealthzMiddleware:
    """Answers ``GET /healthz`` before the Host header is checked and HTTP is redirected to HTTPS.

    Health probes (docker compose's healthcheck, a platform's or load balancer's probe) talk to
    the container directly, over plain HTTP, by its IP address or an internal name that is not in
    ALLOWED_HOSTS: Django would answer them 400 or 301. This path alone skips those two checks,
    as it is listed first in MIDDLEWARE; every other request goes through all of them, and the
    answer holds no more than "ok" or "failing" per part.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTHZ_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)


def origin(url):
    """Return the origin of an absolute URL (``https://host:port``), or None for a path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


@functools.cache
def link_origins(dsn):
    """Return the origins of the links to the files of the storage ``dsn`` describes.

    Computed as the storage makes its links (no network), once per DSN; a DSN the check
    refuses has none.
    """
    try:
        storage = open_storage(dsn)
    except InvalidDSN:
        return ()
    return tuple(filter(None, [origin(storage.url("probe.txt"))]))


def allow_in_policy(response, **sources):
    """Add ``sources`` (``{"img-src": [origin, ...]}``) to the response's Content-Security-Policy.

    The middleware that sends the header (django-csp on Django 5.2, Django's own on 6) takes the
    response's ``_csp_config``, when set, in place of the settings' policy.
    """
    policy = getattr(response, "_csp_config", None) or settings.CONTENT_SECURITY_POLICY_DIRECTIVES
    response._csp_config = {
        directive: [
            *values,
            *(source for source in sources.get(directive, ()) if source not in values),
        ]
        for directive, values in policy.items()
    }


class StorageOriginsMiddleware:
    """Allow the media storage's origins in the Content-Security-Policy, and no others.

    settings.CONTENT_SECURITY_POLICY_DIRECTIVES is the policy of every page; this adds to it the
    storage's public host for images and media, as the storage makes its links and signed URLs.
    Listed after the middleware that sends the header, it answers first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        links = link_origins(settings.DEFAULT_STORAGE_DSN)
        allow_in_policy(response, **{"img-src": links, "media-src": links})
        return response
