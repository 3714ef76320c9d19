"""Storage DSNs (``DEFAULT_STORAGE_DSN``): what they mean, what is wrong with them, their secret.

Settings import this module, so it stays light: storage backends are imported only when a DSN
is checked or opened.
"""

import base64
import binascii
import re
from urllib.parse import quote, unquote

import furl

# The accepted forms, by scheme; the configuration check shows them when a DSN is wrong.
FORMS = {
    "file": "file:///absolute/folder/?url=%2Fmedia%2F",
    "s3": "s3://KEY:SECRET@BUCKET.s3.REGION.amazonaws.com/[PREFIX/]?auth=s3v4&domain=HOST",
    "s3+https": "s3+https://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX]?region=REGION",
    "s3+http": "s3+http://KEY:SECRET@HOST:PORT/BUCKET[/PREFIX]",
    "az": "az://ACCOUNT:KEY_OR_BASE64_SAS@blob.core.windows.net/CONTAINER?domain=HOST",
    "az+https": "az+https://ACCOUNT:KEY_OR_BASE64_SAS@HOST[:PORT]/[ACCOUNT/]CONTAINER",
    "az+http": "az+http://ACCOUNT:KEY_OR_BASE64_SAS@HOST:PORT/ACCOUNT/CONTAINER",
}
AZURE_SCHEMES = {"az", "az+https", "az+http"}
ACL_NONE = "none"
# S3's canned ACLs, and "none" for buckets with ACLs disabled.
ACLS = {
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    ACL_NONE,
}
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
# A URL's user information: everything between "//" and the last "@" before the path.
USERINFO = re.compile(r"[^:/?#]*://([^/?#]*)@")
# S3's rules for bucket names (the common subset of AWS, MinIO and R2).
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# Azure's rules for storage account and container names.
ACCOUNT_NAME = re.compile(r"[a-z0-9]{3,24}")
CONTAINER_NAME = re.compile(r"(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")


def is_true(value):
    return str(value).lower() in TRUE


def redact(text, dsn):
    """Return ``text`` with the secret of ``dsn`` replaced by ``***``, in every form it may take.

    ``redact(dsn, dsn)`` is the DSN itself, safe to print or log. Any text does, however
    malformed the DSN: the secret is what lies between the first ``:`` of the user information
    and its last ``@``, as written, decoded or percent-encoded.
    """
    match = USERINFO.match(dsn)
    secret = match[1].partition(":")[2] if match else ""
    if not secret:
        return text
    for form in sorted({secret, unquote(secret), quote(unquote(secret), safe="")}, key=len)[::-1]:
        text = text.replace(form, "***")
    return text


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


class InvalidDSN(ValueError):
    """A storage DSN that describes no usable storage; the message says why, without the secret."""


def open_storage(dsn):
    """Return the storage that ``dsn`` describes.

    Raise InvalidDSN, saying what is wrong, if it describes none.
    """
    reason = problem(dsn)
    if reason:
        raise InvalidDSN(reason)
    from django_storage_url import get_storage

    return get_storage(dsn)


def problem(dsn):
    """Return what is wrong with a storage DSN, or None; the words never include its secret."""
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
    if url.scheme == "az" and not (url.host or "").startswith("blob."):
        return "an az:// DSN's host is blob.core.windows.net; give other endpoints as az+https://"
    if url.scheme in AZURE_SCHEMES and not _is_base64(url.password):
        return (
            "its credential is not base64: give the account key as Azure shows it or a SAS "
            "token base64-encoded, with /, + and = percent-encoded (%2F, %2B, %3D)"
        )
    return _query_problem(url) or _storage_problem(dsn, url)


def _file_problem(url):
    if url.host or not str(url.path).startswith("/"):
        return "a file:// DSN needs an absolute folder: file:///folder/"
    if not url.args.get("url"):
        return "a file:// DSN needs the URL its files are served at: ?url=%2Fmedia%2F"
    return None


def _query_problem(url):
    if url.scheme in AZURE_SCHEMES:
        for name in ("acl", "qs_auth"):
            if name in url.args:
                return f"{name}= is S3's; an Azure container's access level is set on the container"
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
    except Exception as error:  # noqa: BLE001 - any failure to build is the answer sought
        return f"it cannot be read ({type(error).__name__}: {redact(str(error), dsn)})"
    if url.scheme in AZURE_SCHEMES:
        return _azure_problem(storage, url)
    if not storage.bucket_name:
        return "it names no bucket"
    if not BUCKET_NAME.fullmatch(storage.bucket_name):
        return f"its bucket name {storage.bucket_name!r} is not a valid S3 bucket name"
    if not furl.furl(storage.endpoint_url).host:
        return "it names no endpoint host after the bucket"
    return None


def _azure_problem(storage, url):
    if not ACCOUNT_NAME.fullmatch(storage.account_name):
        return f"its account name {storage.account_name!r} is not a valid Azure account name"
    if not storage.azure_container:
        return "it names no container (…/CONTAINER)"
    if not CONTAINER_NAME.fullmatch(storage.azure_container):
        return f"its container name {storage.azure_container!r} is not a valid Azure container name"
    if url.scheme != "az":
        return _azure_endpoint_problem(storage.account_name, url)
    return None


def _azure_endpoint_problem(account, url):
    """az+http(s):// is a container's URL: the account is in the host (ACCOUNT.HOST/CONTAINER)
    or, on emulators such as Azurite, first in the path (HOST/ACCOUNT/CONTAINER)."""
    if not url.host:
        return "it names no endpoint host"
    account_path, _, container = str(url.path).strip("/").rpartition("/")
    names_no_container = (
        not account_path and container == account and not url.host.startswith(f"{account}.")
    )
    if account_path not in ("", account) or names_no_container:
        return "its path must be /CONTAINER, or /ACCOUNT/CONTAINER (Azurite's form)"
    return None


def _is_base64(text):
    """Account keys are base64, and SAS tokens are given base64-encoded (django-storage-url
    decodes them, adding the padding a DSN may leave out)."""
    try:
        base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        return False
    return True
