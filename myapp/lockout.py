"""Login throttling, with django-axes: who is locked out, and from which address they come."""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def trusted_proxy_count():
    """Return TRUSTED_PROXY_COUNT as a number; ValueError if it is not a whole number from 0."""
    count = int(settings.TRUSTED_PROXY_COUNT)
    if count < 0:
        raise ValueError(count)
    return count


def is_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def client_address(request):
    """Return the address a request comes from: the peer's, or the one the proxies say.

    Each of the TRUSTED_PROXY_COUNT proxies in front of the server (Divio's one) appends the
    address it was reached from to X-Forwarded-For: the client's is the last but as many; whatever
    comes before is what the client wrote, and could be forged. With no proxy declared, the whole
    header is the client's word, and the connection's address is the only one to go by. Written
    here because django-ipware gives no address at all once a client sends a header of its own.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = trusted_proxy_count()
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies and is_address(forwarded[-proxies]):
        return forwarded[-proxies]
    # A health probe reaches the server directly, without the header; nothing else may.
    return peer if is_address(peer) else None


def locked_out(request, response, credentials):
    """Return the page a login refused for too many failures gets: 429, and for how long."""
    context = {
        "username": (credentials or {}).get("username", ""),
        "minutes": round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
    }
    return render(request, "myapp/locked_out.html", context, status=429)


class LoginAttempts(AxesDatabaseHandler):
    """django-axes' database handler, with a second, higher limit for one address alone.

    django-axes locks out by the combinations of AXES_LOCKOUT_PARAMETERS, with one limit: one
    address trying many usernames would never reach it for any single one.
    """

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or (
            self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT
        )

    def address_failures(self, request):
        """Return the failed logins from the request's address within the cool-off time."""
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        )
        return attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
