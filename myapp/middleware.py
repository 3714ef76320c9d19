from django.conf import settings

from myapp.storage.origins import storage_origins
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


class StorageOriginsMiddleware:
    """Allow the media storage's origins in the Content-Security-Policy, and no others.

    settings.CONTENT_SECURITY_POLICY_DIRECTIVES is the policy of every page; this adds to it, for
    each response, the storage's public host for images and media and its endpoint for the
    direct uploads' requests, as the storage makes its links and signed URLs. Listed after the
    middleware that sends the header (django-csp on Django 5.2, Django's own on 6), it hands its
    policy over as ``response._csp_config``, which both take in place of the settings'.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        links, uploads = storage_origins(settings.DEFAULT_STORAGE_DSN)
        extra = {"img-src": links, "media-src": links, "connect-src": uploads}
        response._csp_config = {
            directive: [*values, *extra.get(directive, ())]
            for directive, values in settings.CONTENT_SECURITY_POLICY_DIRECTIVES.items()
        }
        return response
