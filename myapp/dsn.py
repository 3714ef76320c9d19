"""Reading storage DSNs (``DEFAULT_STORAGE_DSN``): what they mean and what is wrong with them.

Settings import this module, so it must stay light: storage backends are imported only when a DSN
is checked.
"""

import re
from urllib.parse import quote, unquote

import furl

# The accepted forms, by scheme; the configuration check shows them when a DSN is wrong.
FORMS = {
    "file": "file:///absolute/folder/?url=%2Fmedia%2F",
    "s3": "s3://KEY:SECRET@BUCKET.s3.REGION.amazonaws.com/[PREFIX/]?auth=s3v4&domain=HOST",
    "s3+https": "s3+https://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX]?region=REGION",
    "s3+http": "s3+http://KEY:SECRET@HOST:PORT/BUCKET[/PREFIX]",
    "az": "az://ACCOUNT:KEY_OR_BASE64_SAS@blob.core.windows.net/CONTAINER",
}
ACL_NONE = "none"
# S3's canned ACLs, and "none" for buckets with ACLs disabled.
ACLS = {
    "private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read",
    "bucket-owner-read", "bucket-owner-full-control", ACL_NONE,
}
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
# S3's rules for bucket names (the common subset of AWS, MinIO and R2).
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def is_true(value):
    return str(value).lower() in TRUE


def redact(dsn):
    """The DSN with its secret replaced, safe to print or log."""
    url = furl.furl(dsn)
    if url.password:
        url.password = "***"
    return url.tostr()


def local_media(dsn):
    """``(MEDIA_ROOT, MEDIA_URL)`` of a ``file://`` DSN, or ``("", "")`` for any other.

    Django serves local media in DEBUG from these two settings; deriving them from the DSN that
    the storage itself reads means they can never point somewhere else.
    """
    url = furl.furl(dsn)
    if url.scheme != "file":
        return "", ""
    # django-storage-url keeps the path percent-encoded as its storage location; a folder name
    # with a space or a non-ASCII letter must reach the disk decoded.
    return unquote(str(url.path)), url.args.get("url", "")


def problem(dsn):
    """What is wrong with a storage DSN, or None. The words never include the DSN's secret."""
    if not dsn:
        return "it is empty"
    try:
        url = furl.furl(dsn)
    except ValueError:
        return "it is not a URL"
    if not url.scheme:
        return "it has no scheme"
    if url.scheme not in FORMS:
        return f"its scheme {url.scheme}:// is not one of {', '.join(FORMS)}"
    if url.scheme == "file":
        return _file_problem(url)
    if not (url.username and url.password):
        return "it has no credentials (KEY:SECRET@ before the host)"
    if url.scheme == "s3" and "." not in (url.host or ""):
        return "an s3:// DSN needs BUCKET.ENDPOINT as its host"
    return _query_problem(url) or _storage_problem(dsn, url)


def _file_problem(url):
    if url.host or not str(url.path).startswith("/"):
        return "a file:// DSN needs an absolute folder: file:///folder/"
    if not url.args.get("url"):
        return "a file:// DSN needs the URL its files are served at: ?url=%2Fmedia%2F"
    return None


def _query_problem(url):
    if ":" in url.args.get("domain", ""):
        return "domain= cannot carry a port; give url=https://HOST:PORT/ instead"
    acl = url.args.get("acl")
    if acl is not None and acl not in ACLS:
        return f"acl={acl} is not one of {', '.join(sorted(ACLS))}"
    qs_auth = url.args.get("qs_auth")
    if qs_auth is not None and qs_auth.lower() not in TRUE | FALSE:
        return f"qs_auth={qs_auth} is neither true nor false"
    return None


def _storage_problem(dsn, url):
    """Build the storage the DSN describes (no network involved) and look at what it became."""
    from django_storage_url import get_storage

    try:
        storage = get_storage(dsn)
    except Exception as error:  # noqa: BLE001: any failure to build is the answer sought
        return f"it cannot be read ({type(error).__name__}: {_hide(str(error), url)})"
    if url.scheme == "az":
        return None if storage.azure_container else "it names no container (…/CONTAINER)"
    if not storage.bucket_name:
        return "it names no bucket"
    if not BUCKET_NAME.fullmatch(storage.bucket_name):
        return f"its bucket name {storage.bucket_name!r} is not a valid S3 bucket name"
    if not furl.furl(storage.endpoint_url).host:
        return "it names no endpoint host after the bucket"
    return None


def _hide(text, url):
    for secret in (url.password, quote(url.password, safe="")):
        text = text.replace(secret, "***")
    return text
