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
