"""Storage DSNs as rclone remotes, and rclone's names of files as the names stored.

A remote is the backend options that rclone reads from its environment (secrets included, so
they never reach its command line) and the path that follows ``NAME:`` on its command line. The
DSN is read as the project's storages read it (myapp/storage/backends.py, django-storage-url),
so that files land where Django looks for them.
"""

import base64
import binascii
from typing import NamedTuple
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

# What django-storage-url looks for in an s3:// host, in this order: the bucket is before it, the
# region right after it.
S3_REGION_MARKERS = (
    ".s3-accesspoint-fips.dualstack.",
    ".s3-fips.dualstack.",
    ".s3-accesspoint.dualstack.",
    ".s3.dualstack.",
    ".s3-accesspoint.",
    ".s3-fips.",
    ".s3-",
    ".s3.",
)
# rclone's "standard" encoding, in which it names files in its logs and reports: control
# characters as the symbols U+2400 to U+241F and U+2421, a / within a name as a fullwidth one, the
# names . and .. as fullwidth dots, and any of those characters stored as such after a quote.
QUOTE = "\u201b"
DOT = "\uff0e"
SYMBOLS = {chr(0x2400 + code): chr(code) for code in range(0x20)} | {
    "\u2421": "\x7f",
    "\uff0f": "/",
}
DOT_NAMES = {DOT: ".", DOT * 2: "..", QUOTE + DOT: DOT, (QUOTE + DOT) * 2: DOT * 2}
# The names that a storage would keep under another name, or refuse half-way, as rclone filter
# rules on rclone's names: excluded from a copy into that storage, each is reported failed.
UNSTORABLE = {
    # An empty segment (a leading, doubled or final /), or a segment . or .. (fullwidth dots).
    "local": (
        r"/{{(.*/)?(|\x{ff0e}|\x{ff0e}\x{ff0e})(/.*)?}}",
        "a file in a folder cannot have this name",
    ),
    # Azure turns \ into /, drops a segment's final dot and fails to list the container once a
    # name has a control character (a symbol, unless quoted).
    "azureblob": (
        (
            r"/{{(?:(.*/)?([^/]*\.|\x{ff0e}|\x{ff0e}\x{ff0e})(/.*)?|.*\\.*"
            r"|(.*[^\x{201b}])?[\x{2400}-\x{241f}\x{2421}].*)}}"
        ),
        "Azure would store it under another name, or fail to list it",
    ),
}


class Remote(NamedTuple):
    """One side of a copy, as rclone sees it."""

    options: dict  # the backend's options, secrets included: for rclone's environment only
    path: str  # after NAME: on the command line: /FOLDER, BUCKET[/PREFIX] or CONTAINER

    @property
    def unstorable(self):
        """Return the filter rule matching the names it cannot store and why, or None."""
        return UNSTORABLE.get(self.options["type"])


def remote(dsn):
    """Return the remote that a storage DSN, one that myapp.storage.validation accepts, names."""
    url = urlsplit(dsn)
    if url.scheme == "file":
        # As the project's FileSystemStorage does, the folder is the decoded path.
        return Remote({"type": "local", "encoding": "Raw"}, unquote(url.path))
    if url.scheme.startswith("az"):
        return azure_remote(url)
    return s3_remote(url, dict(parse_qsl(url.query)))


def s3_remote(url, query):
    if url.scheme == "s3":
        bucket, endpoint, region = split_s3_host(url.hostname, query)
        # django-storage-url keeps the path as written, percent-escapes included, for the prefix.
        prefix = url.path
    else:
        bucket, _, prefix = url.path.strip("/").partition("/")
        port = f":{url.port}" if url.port else ""
        endpoint = f"{url.scheme.removeprefix('s3+')}://{url.hostname}{port}"
        region = query.get("region")
    options = {
        "type": "s3",
        "provider": "AWS" if url.hostname.endswith(".amazonaws.com") else "Other",
        "access_key_id": unquote(url.username),
        "secret_access_key": unquote(url.password),
        "endpoint": endpoint,
        # boto3, which the project's storages use, addresses a bucket of an endpoint given as a URL
        # by its path unless told otherwise.
        "force_path_style": str(query.get("addressing_style") != "virtual").lower(),
        "v2_auth": str(query.get("auth") == "s3").lower(),
        # As the project's storage stores a file: public-read unless the DSN says otherwise.
        "acl": "" if query.get("acl") == "none" else query.get("acl", "public-read"),
        # A bucket is never created: a wrong name fails instead.
        "no_check_bucket": "true",
        # Keys are kept exactly as they are: rclone would rewrite some characters otherwise.
        "encoding": "Raw",
    }
    if region:
        options["region"] = region
    return Remote(options, f"{bucket}/{prefix.strip('/')}".rstrip("/"))


def split_s3_host(host, query):
    """Return the bucket, the endpoint URL and the region (or None) of an s3:// DSN's host."""
    for marker in S3_REGION_MARKERS:
        bucket, found, rest = host.partition(marker)
        region = rest.split(".", 1)[0]
        # The variants of the control endpoints that name an account are not buckets' hosts.
        if found and region not in ("control", "control-fips"):
            region = None if region == "amazonaws" else region
            return bucket, f"https://{marker.lstrip('.')}{rest}", region
    bucket, *labels = host.rsplit(".", 3)
    region = query.get("region_name", labels[0].partition("-")[2]) or None
    return bucket, f"https://{'.'.join(labels)}", region


def azure_remote(url):
    account, credential = unquote(url.username), unquote(url.password)
    account_path, _, container = url.path.strip("/").rpartition("/")
    if url.scheme == "az":
        service = f"https://{account}.{url.hostname}"
    else:
        # The container's own URL: the account is in the host, or first in the path (Azurite).
        port = f":{url.port}" if url.port else ""
        protocol = url.scheme.removeprefix("az+")
        service = f"{protocol}://{url.hostname}{port}/{account_path}".rstrip("/")
    token = sas_token(credential)
    if token:
        options = {"type": "azureblob", "sas_url": f"{service}/{container}?{token}"}
    else:
        padding = "=" * (-len(credential) % 4)
        options = {
            "type": "azureblob",
            "account": account,
            "key": credential + padding,
            "endpoint": service,
        }
    # As for S3: no container is created, and names are kept exactly.
    options |= {"no_check_container": "true", "encoding": "Raw"}
    return Remote(options, container)


def sas_token(credential):
    """Return the SAS token that an Azure DSN's credential encodes in base64, or None for a key.

    As django-storage-url tells them apart: a key is base64 too, of bytes that are no token.
    """
    try:
        text = base64.b64decode(credential + "=" * (-len(credential) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return text if "sig" in parse_qs(text) else None


def environment(name, options):
    """Return the environment variables that define the remote ``name`` for rclone."""
    return {f"RCLONE_CONFIG_{name.upper()}_{key.upper()}": value for key, value in options.items()}


def file_name(name):
    """Return the name of the file that rclone calls ``name`` in its logs and reports."""
    return "/".join(decode_segment(segment) for segment in name.split("/"))


def decode_segment(segment):
    if segment in DOT_NAMES:
        return DOT_NAMES[segment]
    decoded, quoted = [], False
    for character in segment:
        if quoted:
            decoded.append(character)
            quoted = False
        elif character == QUOTE:
            quoted = True
        else:
            decoded.append(SYMBOLS.get(character, character))
    return "".join(decoded)
