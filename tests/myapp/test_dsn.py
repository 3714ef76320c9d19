"""Reading DSNs: the accepted forms pass, every malformed one is named without its secret."""

import pytest

from myapp import dsn

SECRET = "Sup3rSecretValue"

VALID = [
    "file:///data/media/?url=%2Fmedia%2F",
    "file:///home/me/my%20project/data/media/?url=%2Fmedia%2F",
    f"s3://KEY:{SECRET}@my-app-media.s3-eu-central-1.amazonaws.com/?domain=my-app-media",
    f"s3://KEY:{SECRET}@my-app.divio-media.org.s3.amazonaws.com/?auth=s3v4&domain=my-app.divio-media.org",
    f"s3://KEY:{SECRET}@my-app-media.sos-ch-dk-2.exo.io/?auth=s3",
    f"s3://KEY:{SECRET}@media.localhost/?auth=s3v4",
    f"s3://KEY:{SECRET}@media.localhost/?acl=none&qs_auth=true",
    f"s3+http://KEY:{SECRET}@127.0.0.1:9000/media",
    f"s3+https://KEY:{SECRET}@r2.example.com/media/prefix?region=auto&url=https%3A%2F%2Fcdn.example.com%2Fm%2F",
]

MALFORMED = [
    ("", "it is empty"),
    ("not a url at all", "it has no scheme"),
    (f"KEY:{SECRET}@bucket.s3.amazonaws.com", "scheme"),
    (f"ftp://KEY:{SECRET}@bucket.s3.amazonaws.com/", "its scheme ftp:// is not one of"),
    (f"s3://KEY:{SECRET}@bucket..s3.amazonaws.com/", "not a URL"),
    (f"gs://KEY:{SECRET}@bucket/", "is not one of"),
    ("file://data/media/?url=%2Fmedia%2F", "absolute folder"),
    ("file:///data/media/", "?url="),
    ("file://./media/?url=%2Fmedia%2F", "not a URL"),
    ("s3://bucket.s3.amazonaws.com/", "no credentials"),
    ("s3://KEY@bucket.s3.amazonaws.com/", "no credentials"),
    (f"s3://:{SECRET}@bucket.s3.amazonaws.com/", "no credentials"),
    (f"s3://KEY:{SECRET}@localhost/", "BUCKET.ENDPOINT"),
    (f"s3://KEY:{SECRET}@s3.amazonaws.com/", "bucket name 's3' is not a valid"),
    (f"s3://KEY:{SECRET}@Bad_Bucket.s3.amazonaws.com/", "not a valid S3 bucket name"),
    (f"s3://KEY:{SECRET}@ab.s3.amazonaws.com/", "not a valid S3 bucket name"),
    (f"s3://KEY:{SECRET}@bucket.s3.amazonaws.com/?acl=public", "acl=public is not one of"),
    (f"s3://KEY:{SECRET}@bucket.s3.amazonaws.com/?qs_auth=maybe", "qs_auth=maybe"),
    (f"s3://KEY:{SECRET}@bucket.example.com/?domain=cdn.example.com:8443", "cannot carry a port"),
    (f"s3://KEY:{SECRET}@bucket.s3.amazonaws.com:99999/", "not a URL"),
    (f"s3+http://KEY:{SECRET}@127.0.0.1:9000/", "no bucket"),
    (f"s3+http://KEY:{SECRET}@127.0.0.1:9000", "no bucket"),
    (f"s3+https://KEY:{SECRET}@/media", "no endpoint host"),
    (f"s3+http://127.0.0.1:9000/media", "no credentials"),
    (f"s3+https://KEY:{SECRET}@r2.example.com/UPPER", "not a valid S3 bucket name"),
    ("az://account@blob.core.windows.net/media", "no credentials"),
]


@pytest.mark.parametrize("value", VALID)
def test_accepted_forms_have_no_problem(value):
    assert dsn.problem(value) is None


@pytest.mark.parametrize("value, expected", MALFORMED)
def test_a_malformed_dsn_is_named_without_its_secret(value, expected):
    reason = dsn.problem(value)
    assert reason is not None and expected in reason
    assert SECRET not in reason


def test_there_are_at_least_twenty_malformed_cases():
    assert len(MALFORMED) >= 20


def test_local_media_of_a_file_dsn_is_its_decoded_folder_and_url():
    assert dsn.local_media("file:///a%20b/media/?url=%2Fmedia%2F") == ("/a b/media/", "/media/")


def test_cloud_dsns_have_no_local_media():
    assert dsn.local_media(VALID[2]) == ("", "")
