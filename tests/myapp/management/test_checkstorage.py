"""`manage.py checkstorage [DSN]`: "is my DSN right?", asked of real storages before any upload."""

import base64
import re
from io import StringIO
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError
from django.core.management import CommandError, call_command

from myapp.storage.backends import EndpointS3Storage
from tests.helpers import azurite as azurite_server
from tests.helpers import s3
from tests.helpers.project import manage

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

SECRET = quote(s3.SECRET, safe="")
STEPS = ["write", "read", "url", "delete"]


def check(*args):
    out = StringIO()
    call_command("checkstorage", *args, stdout=out)
    return out.getvalue()


def failure(*args):
    with pytest.raises(CommandError) as raised:
        check(*args)
    message = str(raised.value)
    assert s3.SECRET not in message
    assert SECRET not in message
    return message


def objects(bucket):
    return bucket.client.list_objects_v2(Bucket=bucket.name).get("Contents", [])


def steps_done(output):
    return re.findall(r"^  (\w+) +.* \(\d+ ms\)$", output, re.MULTILINE)


def test_a_bucket_passes_every_step_and_keeps_nothing(s3_bucket):
    output = check(s3_bucket.dsn)
    assert steps_done(output) == STEPS
    url = rf"http://127\.0\.0\.1:\d+/{s3_bucket.name}/\.checkstorage-\w+\.txt"
    assert re.search(rf"url +{url} serves the same bytes", output)
    assert output.endswith("The storage works.\n")
    assert s3.SECRET not in output
    assert SECRET not in output
    assert objects(s3_bucket) == []


def test_without_a_dsn_it_checks_default_storage_dsn(s3_bucket):
    output = check()
    assert s3_bucket.name in output.splitlines()[0]
    assert steps_done(output) == STEPS


def test_a_folder_passes_and_its_url_is_a_path_on_the_site(settings, media_dir):
    output = check()
    assert steps_done(output) == STEPS
    assert "/media/.checkstorage-" in output
    assert "not fetched" in output
    assert list(media_dir.iterdir()) == []


def test_signed_links_of_a_private_bucket_open(s3_bucket):
    output = check(s3_bucket.dsn + "?acl=private&qs_auth=true")
    assert steps_done(output) == STEPS
    assert "(signed) serves the same bytes" in output


def test_links_that_will_not_open_are_named(moto_bucket):
    # moto keeps each object's ACL; SeaweedFS serves anyone whatever the ACL says.
    s3_bucket = moto_bucket
    message = failure(s3_bucket.dsn + "?acl=private")
    assert message.startswith("url failed: ")
    assert "answers HTTP 403" in message
    assert "qs_auth=true" in message
    assert objects(s3_bucket) == []  # the probe is deleted all the same


def test_a_missing_bucket_is_named(moto_bucket):
    # SeaweedFS makes a bucket that a key allowed to make one writes to; moto does not.
    moto_bucket.client.delete_bucket(Bucket=moto_bucket.name)
    assert failure(moto_bucket.dsn) == "write failed: the bucket does not exist (NoSuchBucket)"


def test_an_endpoint_that_does_not_answer_is_named(down_s3_dsn):
    message = failure(down_s3_dsn)
    assert message.startswith("write failed: the endpoint cannot be reached: ")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("InvalidAccessKeyId", "bad credentials: the service knows no such access key"),
        ("SignatureDoesNotMatch", "bad credentials: the secret does not belong to the access key"),
        ("AccessControlListNotSupported", "add acl=none to the DSN"),
    ],
)
def test_what_a_real_service_refuses_is_named(s3_bucket, monkeypatch, code, reason):
    """moto accepts any credentials and every ACL, so the services' answers are made here."""

    def refuse(self, name, content):
        raise ClientError({"Error": {"Code": code, "Message": "..."}}, "PutObject")

    monkeypatch.setattr(EndpointS3Storage, "_save", refuse)
    message = failure(s3_bucket.dsn)
    assert message.startswith("write failed: ")
    assert reason in message
    assert f"({code})" in message


def test_a_wrong_dsn_is_named_without_its_secret():
    message = failure(f"s3+http://{s3.KEY}:{SECRET}@127.0.0.1:9000/Bad_Bucket")
    assert message.startswith("The DSN given is not a usable storage DSN: ")


def test_from_the_command_line_a_failure_exits_1_with_the_reason_and_no_traceback(down_s3_dsn):
    result = manage(
        "checkstorage",
        down_s3_dsn,
        DJANGO_DEBUG="True",
        AWS_CONFIG_FILE="/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
    )
    assert result.returncode == 1
    assert "CommandError: write failed: the endpoint cannot be reached" in result.stderr
    assert "Traceback" not in result.stderr
    output = result.stdout + result.stderr
    assert s3.SECRET not in output
    assert SECRET not in output


# Azure Blob Storage, against Azurite


def test_a_public_container_passes_every_step_and_keeps_nothing(azure_container):
    output = check(azure_container.dsn)
    assert "(EndpointAzureStorage)" in output
    assert steps_done(output) == STEPS
    assert output.endswith("The storage works.\n")
    assert list(azure_container.client.list_blobs()) == []


@pytest.mark.parametrize(
    ("problem", "reason"),
    [
        ("wrong key", "bad credentials"),
        ("no container", "the container does not exist"),
        ("private container", "public access level"),
    ],
)
def test_what_is_wrong_with_an_azure_dsn_is_named_without_its_key(azurite, problem, reason):
    name, key = azurite.new_container().name, azurite_server.KEY
    if problem == "wrong key":
        key = base64.b64encode(b"not the key" * 6).decode()
    elif problem == "no container":
        name = "no-such-container"
    else:
        name = f"private-{name}"
        azurite.client().create_container(name)  # no public access

    with pytest.raises(CommandError) as failure:
        check(azurite.dsn(name, key))

    message = str(failure.value)
    assert reason in message
    assert key not in message
    assert quote(key, safe="") not in message
