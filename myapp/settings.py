"""Settings for myapp: everything that differs between environments comes from the environment.

Divio sets the variables read here; docker compose reads .env-local. Each is read once, below,
with its default and why; the README lists them all. With DEBUG on and nothing set, the embedded
default applies: SQLite and media under data/. With DEBUG off nothing falls back, and myapp.E001
names what is missing; settings still import with nothing set, as the Docker build needs.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import dj_database_url
import django
from boto3.s3.transfer import TransferConfig
from django_storage_url import dsn_configured_storage_class

from myapp import log
from myapp.storage.dsn import local_media

BASE_DIR = Path(__file__).resolve().parent.parent

# The host folder that docker compose mounts at /data; the embedded default keeps its database
# and media there too, so a local run and a Docker run show the same files.
DATA_DIR = BASE_DIR / "data"


# Security

# Only the exact string "True" turns DEBUG on: a typo or "true" must never expose tracebacks.
DEBUG = os.environ.get("DJANGO_DEBUG") == "True"

# Divio sets a SECRET_KEY per environment. The fixed fallback is for local runs only; with DEBUG
# off it stays empty, Django refuses to sign anything and myapp.E001 names the variable.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-local-development-only" if DEBUG else "")

# Divio's main host, its aliases, and the domains that must reach Django to be redirected; with
# DEBUG on, empty means Django's localhost defaults.
ALLOWED_HOSTS = [
    host.strip()
    for variable in ("DOMAIN", "DOMAIN_ALIASES", "DOMAIN_REDIRECTS")
    for host in os.environ.get(variable, "").split(",")
    if host.strip()
]

# Divio's proxy terminates TLS and talks plain HTTP to the container: without trusting its
# X-Forwarded-Proto every request would look insecure, so HTTPS redirects would loop.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# On unless the environment says exactly "False" (the tutorial's rule); a local run without
# Docker has no TLS, so there the default follows DEBUG.
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", str(not DEBUG)) != "False"

# Wherever HTTPS is enforced, cookies and browsers must keep to it as well. HSTS is sent over
# HTTPS only; preload takes effect only once the domain is submitted to the preload list.
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL_REDIRECT else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# The admin's forms post back to the host they came from, over HTTPS in the cloud.
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]


# Application definition

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Failed logins counted in the database, so that every instance locks out alike.
    "axes",
    "directuploads",  # browser to bucket; before myapp, whose storage commands it extends
    "copymedia",  # manage.py copymedia: media copied between two storages by rclone
    "previews",  # image previews, made once per stored file, shown in the admin (docs/previews.md)
    # The project itself: storage schemes, configuration checks and storage commands.
    "myapp",
    # The tutorial's app.
    "uploader",
]

MIDDLEWARE = [
    # Answers GET /healthz ahead of the HTTPS redirect and the Host check, which a health probe
    # talking to the container by its address cannot pass; that path only (myapp/middleware.py).
    "myapp.middleware.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise serves the collected static files, right after SecurityMiddleware as its
    # documentation requires, so no web server is needed in front of gunicorn.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The Content-Security-Policy header: Django's own from 6.0, django-csp before.
    "django.middleware.csp.ContentSecurityPolicyMiddleware"
    if django.VERSION >= (6, 0)
    else "csp.middleware.CSPMiddleware",
    # Adds the media storage's origins to the policy; listed after, so it answers first.
    "myapp.middleware.StorageOriginsMiddleware",
    # Refuses a login from where it was locked out; last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

# Every page's Content-Security-Policy: the site's own scripts, styles and images only, and the
# media storage's origins where a page needs them (myapp.middleware.StorageOriginsMiddleware).
# No inline script: the admin needs none.
CONTENT_SECURITY_POLICY_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "media-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SECURE_CSP = CONTENT_SECURITY_POLICY_DIRECTIVES
CONTENT_SECURITY_POLICY = {"DIRECTIVES": CONTENT_SECURITY_POLICY_DIRECTIVES}

# Login throttling (django-axes, README "The admin on the internet"): five wrong passwords lock a
# username out at one address, twenty an address (myapp.lockout.LoginAttempts), for 15 minutes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "myapp.lockout.LoginAttempts"
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = 20
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A refused login is answered with the lockout page, and does not push the lock's end further.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "myapp.lockout.locked_out"
# Behind Divio's proxy every request comes from the proxy: the client is what the proxy says.
AXES_CLIENT_IP_CALLABLE = "myapp.lockout.client_address"
# How many proxies in front of the server append the address they were reached from to
# X-Forwarded-For: one on Divio (its load balancer; Divio sets STAGE in each cloud environment);
# none where clients reach the server themselves (`make run`, `docker compose up`, the image on
# its own), whose X-Forwarded-For is whatever the client wrote. myapp.E003 names a wrong value.
TRUSTED_PROXY_COUNT = os.environ.get("TRUSTED_PROXY_COUNT", "1" if os.environ.get("STAGE") else "0")

ROOT_URLCONF = "myapp.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "myapp.wsgi.application"


# Database

# postgres://user:password@host:5432/name on Divio and in docker compose. Unset with DEBUG off,
# there is no database at all (the image build needs none) and myapp.E001 says so.
DATABASE_URL = os.environ.get(
    "DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}" if DEBUG else ""
)
DATABASES = (
    {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
    if DATABASE_URL
    else {}
)
# SQLite has one writer at a time: concurrent requests wait for it instead of failing.
if DATABASES and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Password validation

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# Logging

# To stdout, one line per event, tracebacks included (myapp/log.py): the container's output is
# the only log kept, by docker compose and on Divio. Django's default mails errors to ADMINS.
LOGGING = log.CONFIG
# DEBUG's error page, and error reports, without the passwords that URL settings carry.
DEFAULT_EXCEPTION_REPORTER = "myapp.log.ErrorReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "myapp.log.ErrorReportFilter"


# Internationalization

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True


# Static files, collected into the image at build time and served by WhiteNoise

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"


# Media files

# Where uploads are stored and the URL they are served from: file://, s3:// or az://
# (docs/storage.md). Divio provides it per environment; locally it is .env-local's
# file:///data/media/?url=%2Fmedia%2F, or data/media in this checkout without Docker.
DEFAULT_STORAGE_DSN = os.environ.get(
    "DEFAULT_STORAGE_DSN",
    f"file://{quote(str(DATA_DIR / 'media'))}/?url=%2Fmedia%2F" if DEBUG else "",
)

# dsn_configured_storage_class() requires the name of the setting, not its value.
DefaultStorageClass = dsn_configured_storage_class("DEFAULT_STORAGE_DSN")

# The tutorial sets DEFAULT_FILE_STORAGE = "myapp.settings.DefaultStorageClass": removed in Django
# 5.1 and silently ignored, it would leave media on local disk in the cloud. STORAGES replaces it.
STORAGES = {
    "default": {"BACKEND": "myapp.settings.DefaultStorageClass"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Serving a file:// DSN's files in DEBUG (myapp/urls.py), from the DSN so that they agree with it.
MEDIA_ROOT, MEDIA_URL = local_media(DEFAULT_STORAGE_DSN)

# How request bodies reach the storage (myapp/storage/uploads.py): read in 1 MiB pieces; to S3 in
# parts while they arrive; into the media folder itself for file storage, so that storing the
# file is a rename, not a copy.
FILE_UPLOAD_HANDLERS = [
    "myapp.storage.uploads.S3UploadHandler",
    "myapp.storage.uploads.MemoryFileUploadHandler",
    "myapp.storage.uploads.TemporaryFileUploadHandler",
]
# How files travel to S3, streamed by S3UploadHandler or sent by django-storages: in parts of
# 8 MiB (S3 wants at least 5 MiB and at most 10,000 parts), two on their way at a time, which
# sends as fast as boto3's ten and holds far less memory (docs/benchmarks.md).
AWS_S3_TRANSFER_CONFIG = TransferConfig(multipart_chunksize=8 * 1024**2, max_concurrency=2)

# The largest file the admin accepts: bytes, or a number with K, M or G (powers of 1024), e.g.
# 500M; uploader.E001 names a wrong value. Divio's proxy refuses request bodies over 500 MB, so
# keep it a little below 500M there. It is the only limit on files: DATA_UPLOAD_MAX_MEMORY_SIZE
# counts the other form fields, and no file is ever held in memory whole.
UPLOAD_MAX_SIZE = os.environ.get("UPLOAD_MAX_SIZE", "100M")
