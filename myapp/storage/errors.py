"""What a storage error means, for whoever configured the storage.

The storages raise what their SDKs raise: a folder's OSError, boto3's and the Azure SDK's errors.
``describe`` turns each into a reason in a sentence; the admin, ``/healthz`` and the storage
commands show it.
"""

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    HTTPClientError,
    NoCredentialsError,
    ReadTimeoutError,
    SSLError,
)
from botocore.exceptions import ConnectionError as EndpointUnreachable

# What a storage raises when it cannot do what was asked: a folder's OSError, boto3's and Azure's
# errors. Bugs (TypeError, AttributeError, ...) are not among them and stay server errors.
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError, AzureError)

# What S3's error codes (or, for HEAD requests, which have no body, HTTP statuses) mean for whoever
# wrote the DSN.
S3_REASONS = {
    "InvalidAccessKeyId": "bad credentials: the service knows no such access key",
    "SignatureDoesNotMatch": "bad credentials: the secret does not belong to the access key",
    "AccessDenied": "access denied: the credentials may not do this in this bucket",
    "403": "access denied or bad credentials",
    "NoSuchBucket": "the bucket does not exist",
    "404": "not found: the bucket may not exist",
    "AccessControlListNotSupported": (
        "the bucket accepts no ACLs (ACLs disabled, the AWS default since April 2023): "
        "add acl=none to the DSN"
    ),
    "PermanentRedirect": "the bucket is in another region: give the DSN its region",
    "AuthorizationHeaderMalformed": "the region is wrong: give the DSN the bucket's region",
}
# What stores that refuse the checksums boto3 sends by default answer (django-storages #1482).
CHECKSUM_CODES = {"InvalidArgument", "XAmzContentSHA256Mismatch", "NotImplemented"}
CHECKSUMS_REFUSED = "the store refuses boto3's checksums: add checksums=when_required to the DSN"
# The same for Azure's error codes. A wrong key is AuthenticationFailed on Azure, which the SDK
# raises as ClientAuthenticationError, and AuthorizationFailure on Azurite.
AZURE_REASONS = {
    "ContainerNotFound": "the container does not exist",
    "AuthorizationFailure": "access denied or bad credentials",
    "AuthorizationPermissionMismatch": (
        "access denied: the SAS token lacks a permission (it needs read, add, create, write, "
        "delete and list)"
    ),
    "AuthorizationResourceTypeMismatch": (
        "access denied: the SAS token does not cover the container and its blobs"
    ),
}


def refuses_checksums(code, message):
    """Return whether an S3 error is a store refusing the checksums boto3 sends by default.

    Backblaze B2 answers InvalidArgument, R2 NotImplemented, some others a SHA-256 mismatch
    (django-storages #1482).
    """
    if code == "XAmzContentSHA256Mismatch":
        return True
    return code in {"InvalidArgument", "NotImplemented"} and "checksum" in message.lower()


def describe(error):
    """Return what a storage error means, in words for whoever wrote the DSN."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        reason = S3_REASONS.get(code)
        if refuses_checksums(code, message):
            reason = CHECKSUMS_REFUSED
        return f"{reason} ({code})" if reason else str(error)
    if isinstance(error, SSLError):
        return (
            f"the TLS connection failed ({error}); for a server with a certificate authority "
            "of its own, add it to the bundle in AWS_CA_BUNDLE"
        )
    if isinstance(error, (ConnectTimeoutError, ReadTimeoutError, ServiceResponseError)):
        return f"the endpoint did not answer in time: {error}"
    if isinstance(error, (EndpointUnreachable, ServiceRequestError)):
        return f"the endpoint cannot be reached: {error}"
    if isinstance(error, HTTPClientError):
        return f"the connection to the endpoint failed: {error}"
    if isinstance(error, NoCredentialsError):
        return "no credentials: give KEY:SECRET@ in the DSN"
    if isinstance(error, ClientAuthenticationError):
        return "bad credentials: the service refused the account key or SAS token"
    code = getattr(error, "error_code", None)  # only Azure's errors about a response have one
    if isinstance(error, HttpResponseError) and code in AZURE_REASONS:
        return f"{AZURE_REASONS[code]} ({code})"
    if isinstance(error, OSError) and error.filename:
        return f"{error.strerror}: {error.filename}"
    return f"{type(error).__name__}: {error}"
