"""Login throttling, with django-axes: who is locked out, and from which address they come."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def client_address(request):
    """Return the address a request comes from: the last one of X-Forwarded-For, or the peer's.

    Divio's proxy (as any single proxy does) appends the address it was reached from to
    X-Forwarded-For; whatever comes before is what the client wrote, and could be forged. Written
    here because django-ipware gives no address at all once a client sends a header of its own.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.rsplit(",", 1)[-1].strip() or request.META.get("REMOTE_ADDR")


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
