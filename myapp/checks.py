"""System checks: configuration mistakes stop the start, named, instead of a 500 later.

runserver, migrate, check and gunicorn (gunicorn.conf.py) run them before anything else.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from myapp.lockout import trusted_proxy_count
from myapp.storage import dsn, validation

# The variables a production run (DEBUG off) cannot do without, with what each one is for.
PRODUCTION_VARIABLES = {
    "SECRET_KEY": "a long random string that signs sessions and password resets",
    "DATABASE_URL": "the database, postgres://user:password@host:5432/name",
    "DEFAULT_STORAGE_DSN": "the media storage, s3://KEY:SECRET@bucket.host/ or file:///path/?url=/media/",
}


def _is_set(name):
    try:
        return bool(getattr(settings, name))
    except ImproperlyConfigured:  # Django refuses to hand out an empty SECRET_KEY
        return False


@checks.register
def check_production_environment(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    return [
        checks.Error(
            f"{name} is not set and DEBUG is off.",
            hint=f"Set {name} to {meaning}; the embedded SQLite and data/media defaults apply "
            "only with DJANGO_DEBUG=True.",
            id="myapp.E001",
        )
        for name, meaning in PRODUCTION_VARIABLES.items()
        if not _is_set(name)
    ]


@checks.register
def check_storage_dsn(app_configs, **kwargs):
    """Name what is wrong with DEFAULT_STORAGE_DSN at start-up.

    Otherwise it would surface only at the first upload, as a bare error from django-storage-url.
    """
    value = settings.DEFAULT_STORAGE_DSN
    if not value and not settings.DEBUG:
        return []  # myapp.E001 already says it is missing
    reason = validation.problem(value)
    if reason is None:
        return []
    return [
        checks.Error(
            f"DEFAULT_STORAGE_DSN is not a usable storage DSN: {reason}.",
            hint="Accepted forms: " + "; ".join(dsn.FORMS.values()) + " (docs/storage.md).",
            id="myapp.E002",
        )
    ]


@checks.register
def check_trusted_proxy_count(app_configs, **kwargs):
    try:
        trusted_proxy_count()
    except ValueError:
        return [
            checks.Error(
                f"TRUSTED_PROXY_COUNT is not a whole number: {settings.TRUSTED_PROXY_COUNT!r}.",
                hint="Set it to the number of proxies in front of the server: 1 on Divio, 0 where "
                "clients reach it directly.",
                id="myapp.E003",
            )
        ]
    return []
