"""The CORS rules a bucket or an Azure account needs for the site's direct uploads.

A browser PUTs a direct upload's parts to the storage's own host, another origin than the site's:
it asks first (a preflight) and sends nothing unless the storage's CORS rules allow the site.
Without them the admin's script sends the file through the server instead.
"""

import urllib.error
import urllib.request

from storages.backends.s3 import S3Storage

RULE_ID = "direct-uploads"
MAX_AGE = 3600


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
    """Return whether the storage's CORS rules let a page of ``origin`` PUT parts to it."""
    request = urllib.request.Request(  # noqa: S310 - the storage's own http(s) URL
        probe_url(storage, ".cors-probe"),
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            allowed = response.headers.get("Access-Control-Allow-Origin")
    except urllib.error.HTTPError:  # S3 and Azure refuse an origin with 403
        return False
    return allowed in (origin, "*")


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
