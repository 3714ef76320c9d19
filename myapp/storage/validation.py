"""What is wrong with a storage DSN, said before anything uses it.

``problem`` takes any text and never raises: the system check myapp.E002 shows its answer at
start-up, and ``dsn.open_storage`` refuses a DSN it objects to. A DSN it accepts builds a
storage whose links and clients work; only the network can still fail.
"""

import ipaddress
import re
from urllib.parse import parse_qsl, unquote, urlsplit

from myapp.storage.dsn import AZURE_SCHEMES, FALSE, FORMS, TRUE, decode_base64, redact

# S3's canned ACLs, and "none" for buckets with ACLs disabled.
ACLS = {
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "none",
}
# What botocore accepts for the signature version, the addressing style and the region.
SIGNATURE_VERSIONS = {"s3", "s3v4"}
ADDRESSING_STYLES = {"auto", "path", "virtual"}
# When boto3 sends checksums and checks those of answers.
CHECKSUMS = {"when_supported", "when_required"}
REGION = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?")
HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
# S3's rules for bucket names (the common subset of AWS, MinIO and R2), and Azure's for storage
# account and container names.
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
ACCOUNT_NAME = re.compile(r"[a-z0-9]{3,24}")
CONTAINER_NAME = re.compile(r"(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
SCHEME = re.compile(r"[a-z][a-z0-9+.-]{0,19}", re.IGNORECASE)


def problem(dsn):
    """Return what is wrong with a storage DSN, or None; the words never include its secret."""
    if not dsn:
        return "it is empty"
    reason = _text_problem(dsn) or _url_problem(dsn)
    return redact(reason, dsn) if reason else None


def _text_problem(dsn):
    if dsn != dsn.strip():
        return "it starts or ends with white space"
    if re.search(r"[\x00-\x20\x7f]", dsn):
        return "it holds a space or a control character: percent-encode it (a space is %20)"
    if re.search(r"%(?![0-9A-Fa-f]{2})", dsn):
        return "it holds a % that starts no percent-escape: write a % itself as %25"
    scheme, separator, _ = dsn.partition("://")
    if not separator:
        return "it has no scheme (such as s3://)"
    if scheme not in FORMS:
        named = f"{scheme}:// " if SCHEME.fullmatch(scheme) else ""
        return f"its scheme {named}is not one of {', '.join(FORMS)}"
    return None


def _url_problem(dsn):
    try:
        url = urlsplit(dsn)
    except ValueError:  # brackets around something that is not an IPv6 address
        return "its host is not a valid IPv6 address in brackets"
    userinfo, at, host = url.netloc.rpartition("@")
    if "@" in userinfo:
        return "its credentials hold an @: percent-encode it as %40"
    try:
        port = url.port
        if port == 0:
            raise ValueError(port)
    except ValueError:
        return "its port is not a number from 1 to 65535"
    query = _query(url.query)
    if query is None:
        return "its query repeats a parameter or has one without a value"
    if url.scheme == "file":
        return _file_problem(url, query)
    key, _, secret = userinfo.partition(":")
    if not (at and key and secret):
        return "it has no credentials (KEY:SECRET@ before the host)"
    if not userinfo.isascii():
        return "its credentials are not ASCII: percent-encode them"
    hostname = host.rsplit(":", 1)[0] if port or host.endswith(":") else host
    return (
        _host_problem(url.scheme, hostname)
        or _query_problem(url.scheme, query)
        or (_azure_problem(url, secret) if url.scheme in AZURE_SCHEMES else _s3_problem(dsn))
    )


def _query(text):
    """Return the query's parameters as a dict, or None if one repeats or has no ``=``."""
    try:
        fields = parse_qsl(text, keep_blank_values=True, strict_parsing=True) if text else []
    except ValueError:
        return None
    query = dict(fields)
    return query if len(query) == len(fields) else None


def _file_problem(url, query):
    if url.netloc or not url.path.startswith("/"):
        return "a file:// DSN needs an absolute folder: file:///folder/"
    base_url = query.get("url", "")
    if not base_url:
        return "a file:// DSN needs the URL its files are served at: ?url=%2Fmedia%2F"
    if not (base_url.startswith("/") or _is_web_url(base_url)):
        return "url= must be a path on the site (%2Fmedia%2F) or an http(s):// URL"
    return None


def _host_problem(scheme, host):
    if not host:
        return "it names no endpoint host"
    if host.startswith("["):
        if scheme in AZURE_SCHEMES:
            return "an Azure endpoint needs a host name or an IPv4 address, not an IPv6 address"
        if scheme == "s3":
            return "an s3:// DSN needs a host name; give an address as s3+https://"
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return "its host is not a valid IPv6 address in brackets"
        return None
    if not host.isascii():
        return "its host is not ASCII: give an international name in its xn-- form"
    labels = host.split(".")
    if scheme == "s3":
        # The host starts with the bucket, whose own rules are checked once it is split off.
        bucket, *labels = labels
        if len(bucket) > 63:
            return "its bucket name is longer than an S3 bucket name may be"
    if len(host) > 253 or not all(HOST_LABEL.fullmatch(label) for label in labels):
        return "its host is not a valid host name"
    if scheme == "s3" and "." not in host:
        return "an s3:// DSN needs BUCKET.ENDPOINT as its host"
    if scheme == "az" and not host.startswith("blob."):
        return "an az:// DSN's host is blob.core.windows.net; give other endpoints as az+https://"
    return None


def _query_problem(scheme, query):
    if scheme in AZURE_SCHEMES:
        for name in ("acl", "qs_auth", "auth", "region", "addressing_style", "checksums"):
            if name in query:
                return f"{name}= is S3's; an Azure container's access is set on the container"
    domain = query.get("domain")
    if domain is not None and _host_problem("s3+https", domain):
        return "domain= must be a host name alone, without a port: give url=https://HOST:PORT/"
    if "url" in query and not _is_web_url(query["url"]):
        return "url= must be an http(s):// URL"
    choices = {
        "acl": ACLS,
        "auth": SIGNATURE_VERSIONS,
        "addressing_style": ADDRESSING_STYLES,
        "checksums": CHECKSUMS,
    }
    for name, allowed in choices.items():
        if name in query and query[name] not in allowed:
            return f"{name}={query[name]} is not one of {', '.join(sorted(allowed))}"
    if "qs_auth" in query and query["qs_auth"].lower() not in TRUE | FALSE:
        return f"qs_auth={query['qs_auth']} is neither true nor false"
    for name in ("region", "region_name"):
        if name in query and not REGION.fullmatch(query[name]):
            return f"{name}={query[name]} is not a region name"
    return None


def _is_web_url(text):
    try:
        url = urlsplit(text)
        url.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        return False
    return url.scheme in ("http", "https") and bool(url.hostname)


def _s3_problem(dsn):
    """Build the storage (no network involved) and look at what it became."""
    from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

    storage = _storage(dsn)
    if isinstance(storage, str):
        return storage
    if not storage.bucket_name:
        return "it names no bucket"
    if not BUCKET_NAME.fullmatch(storage.bucket_name):
        return f"its bucket name {storage.bucket_name!r} is not a valid S3 bucket name"
    endpoint = storage.endpoint_url
    if not (is_valid_endpoint_url(endpoint) or is_valid_ipv6_endpoint_url(endpoint)):
        return "it names no endpoint host after the bucket"
    try:
        # boto3 checks the region and the endpoint as it makes its client, even where the links
        # (on a domain of its own) need none.
        storage.connection  # noqa: B018
    except Exception as error:  # noqa: BLE001 - whatever stops a client is the answer sought
        return f"boto3 cannot use it ({type(error).__name__}: {error})"
    return _link_problem(storage)


def _azure_problem(url, secret):
    """Check an Azure DSN: its credential, account and container, and where the account is.

    az+http(s):// is a container's URL: the account is in the host (ACCOUNT.HOST/CONTAINER) or, on
    emulators such as Azurite, first in the path (HOST/ACCOUNT/CONTAINER).
    """
    # Account keys are base64, and SAS tokens are given base64-encoded.
    if decode_base64(unquote(secret)) is None:
        return (
            "its credential is not base64: give the account key as Azure shows it or a SAS "
            "token base64-encoded, with /, + and = percent-encoded (%2F, %2B, %3D)"
        )
    account = url.username
    if not ACCOUNT_NAME.fullmatch(account):
        return f"its account name {account!r} is not a valid Azure account name"
    account_path, _, container = url.path.strip("/").rpartition("/")
    # az+http(s)://ACCOUNT:KEY@HOST/ACCOUNT names the account in Azurite's way, and no container.
    in_host = url.hostname.lower().startswith(f"{account}.")
    only_account = url.scheme != "az" and container == account and not (account_path or in_host)
    if not container or only_account:
        return "it names no container (…/CONTAINER)"
    if not CONTAINER_NAME.fullmatch(container):
        return f"its container name {container!r} is not a valid Azure container name"
    if url.scheme == "az" and account_path:
        return "an az:// DSN's path is /CONTAINER alone"
    elsewhere = (account_path and account_path != account) or not (account_path or in_host)
    if url.scheme != "az" and elsewhere:
        return (
            f"the account {account} is in neither its host (ACCOUNT.HOST/CONTAINER) nor "
            "its path (/ACCOUNT/CONTAINER, Azurite's form)"
        )
    storage = _storage(url.geturl())
    return storage if isinstance(storage, str) else _link_problem(storage)


def _storage(dsn):
    """Return the storage built from ``dsn``, or the reason it cannot be built."""
    from django_storage_url import get_storage

    try:
        return get_storage(dsn)
    except Exception as error:  # noqa: BLE001 - any failure to build is the answer sought
        return f"it cannot be read ({type(error).__name__}: {error})"


def _link_problem(storage):
    """Make a link to a file, as every page listing uploads does; a failure is the answer."""
    try:
        storage.url("probe.txt")
    except Exception as error:  # noqa: BLE001 - whatever stops a link is the answer sought
        return f"it cannot make links to its files ({type(error).__name__}: {error})"
    return None
