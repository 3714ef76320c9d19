"""The CORS rules a bucket or an Azure account needs for the site's direct uploads.

A browser PUTs a direct upload's parts to the storage's own host, another origin than the site's:
it asks first (a preflight) and sends nothing unless the storage's CORS rules allow the site.
Without them the admin's script sends the file through the server instead.
"""

import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from storages.backends.s3 import S3Storage

from myapp.storage.reservations import storage_key

logger = logging.getLogger(__name__)

RULE_ID = "direct-uploads"
MAX_AGE = 3600
# How long this process trusts what a storage answered about an origin (allowed below).
REMEMBERED_FOR = 300
# (storage, origin): (until when, allowed), for allowed().
_answers = {}


def probe_url(storage, name):
    """Return the URL a browser would PUT a part of ``name`` to, without its signature."""
    if isinstance(storage, S3Storage):
        client = storage.connection.meta.client
        key = storage._normalize_name(name)
        url = client.generate_presigned_url(
            "put_object", Params={"Bucket": storage.bucket_name, "Key": key}
        )
    else:
        url = storage.client.get_blob_client(storage._get_valid_path(name)).url
    return url.partition("?")[0]


def allows(storage, origin):
    """Return whether the storage's CORS rules let a page of ``origin`` PUT parts to it, with
    the headers the browser sends them with (a part's checksum)."""
    from directuploads.storages import for_storage

    uploads = for_storage(storage)
    request = urllib.request.Request(  # noqa: S310 - the storage's own http(s) URL
        probe_url(storage, ".cors-probe"),
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": getattr(uploads, "request_headers", "content-type"),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            allowed = response.headers.get("Access-Control-Allow-Origin")
            headers = response.headers.get("Access-Control-Allow-Headers") or ""
    except urllib.error.HTTPError:  # S3 and Azure refuse an origin with 403
        return False
    # The browser sends nothing unless the answer allows the origin and each header it asked.
    asked = {
        h.strip().lower() for h in request.get_header("Access-control-request-headers").split(",")
    }
    granted = {h.strip().lower() for h in headers.split(",")}
    return allowed in (origin, "*") and ("*" in granted or asked <= granted)


def allowed(storage, origin):
    """Return allows(storage, origin), asked at most every few minutes by this process.

    Where the storage cannot be asked, say yes: the upload then meets the storage's failure
    itself, and says so.
    """
    key = (storage_key(storage), origin)
    until, answer = _answers.get(key, (0, None))
    if time.monotonic() < until:
        return answer
    try:
        answer = allows(storage, origin)
    except OSError as error:
        logger.warning("Could not ask the storage's CORS rules for %s: %s", origin, error)
        return True
    _answers[key] = (time.monotonic() + REMEMBERED_FOR, answer)
    if not answer:
        logger.warning(
            "The storage's CORS rules refuse direct uploads from %s: files go through the "
            "server; `python manage.py allowdirectuploads` adds the rule that allows them",
            origin,
        )
    return answer


def forget():
    """Forget what storages answered (allowed), as after a change of their rules."""
    _answers.clear()


def allow(storage, origins):
    """Add (or replace) the rule that lets pages of ``origins`` PUT parts."""
    if isinstance(storage, S3Storage):
        _allow_in_bucket(storage, origins)
    else:
        _allow_in_account(storage, origins)


def _allow_in_bucket(storage, origins):
    from botocore.exceptions import ClientError

    client = storage.connection.meta.client
    try:
        rules = client.get_bucket_cors(Bucket=storage.bucket_name)["CORSRules"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchCORSConfiguration":
            raise
        rules = []
    # First: a rule matching the request answers it, and S3 looks at the rules in order.
    rules = [
        {
            "ID": RULE_ID,
            "AllowedOrigins": list(origins),
            "AllowedMethods": ["PUT"],
            "AllowedHeaders": ["*"],
            "MaxAgeSeconds": MAX_AGE,
        },
        *(rule for rule in rules if rule.get("ID") != RULE_ID),
    ]
    client.put_bucket_cors(Bucket=storage.bucket_name, CORSConfiguration={"CORSRules": rules})


def _allow_in_account(storage, origins):
    # Azure's CORS rules belong to the account's Blob service, and have no id: the rule that
    # allows PUT alone is this project's.
    from azure.storage.blob import CorsRule

    service = storage.service_client
    rules = [
        rule
        for rule in service.get_service_properties()["cors"]
        if rule.allowed_methods.upper() != "PUT"
    ]
    rules.append(
        CorsRule(list(origins), ["PUT"], allowed_headers=["*"], max_age_in_seconds=MAX_AGE)
    )
    service.set_service_properties(cors=rules)


def add_origin_argument(parser):
    parser.add_argument(
        "--origin",
        dest="origins",
        action="append",
        metavar="URL",
        help=(
            "An origin the admin's pages come from, such as http://127.0.0.1:8000 (repeat it "
            "for several; default: https:// and each of DOMAIN, DOMAIN_ALIASES)."
        ),
    )


def site_origins():
    """Return the origins the site's pages come from: https:// and each of its host names."""
    return settings.CSRF_TRUSTED_ORIGINS
