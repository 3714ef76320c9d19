"""What a storage error means, as the admin, /healthz and the media commands say it."""

import pytest
from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, SSLError

from myapp.storage.errors import describe


def client_error(code):
    return ClientError({"Error": {"Code": code, "Message": "..."}}, "PutObject")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            client_error("InvalidAccessKeyId"),
            "bad credentials: the service knows no such access key (InvalidAccessKeyId)",
        ),
        (
            client_error("SignatureDoesNotMatch"),
            "bad credentials: the secret does not belong to the access key (SignatureDoesNotMatch)",
        ),
        (client_error("NoSuchBucket"), "the bucket does not exist (NoSuchBucket)"),
        (client_error("403"), "access denied or bad credentials (403)"),
        (
            client_error("AccessControlListNotSupported"),
            (
                "the bucket accepts no ACLs (ACLs disabled, the AWS default since April 2023): add "
                "acl=none to the DSN (AccessControlListNotSupported)"
            ),
        ),
        (
            client_error("SlowDown"),
            "An error occurred (SlowDown) when calling the PutObject operation: ...",
        ),
        (
            EndpointConnectionError(endpoint_url="http://127.0.0.1:1/b"),
            (
                "the endpoint cannot be reached: Could not connect to the endpoint URL: "
                '"http://127.0.0.1:1/b"'
            ),
        ),
        (NoCredentialsError(), "no credentials: give KEY:SECRET@ in the DSN"),
        (
            ClientAuthenticationError("Server failed to authenticate the request."),
            "bad credentials: the service refused the account key or SAS token",
        ),
        (
            PermissionError(13, "Permission denied", "/data/media/a.txt"),
            "Permission denied: /data/media/a.txt",
        ),
        (ValueError("odd"), "ValueError: odd"),
    ],
)
def test_describe_says_what_an_error_means(error, reason):
    assert describe(error) == reason


def test_describe_points_at_the_ca_bundle_for_tls_errors():
    error = SSLError(endpoint_url="https://minio.internal/", error="certificate verify failed")
    assert "AWS_CA_BUNDLE" in describe(error)


def test_describe_names_a_missing_azure_container():
    error = ResourceNotFoundError("The specified container does not exist.")
    error.error_code = "ContainerNotFound"
    assert describe(error) == "the container does not exist (ContainerNotFound)"
