"""Storage DSNs the tests give the project: the accepted forms and malformed ones, named."""

import base64
from urllib.parse import quote

SECRET = "Sup3rSecretValue"
# A SAS token as az:// DSNs carry it (its signature is the secret): base64, percent-encoded.
BASE64_SAS = quote(base64.b64encode(f"sv=2025-01-05&sp=racwdl&sig={SECRET}".encode()), safe="")

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
    f"az://myaccount:{SECRET}@blob.core.windows.net/media",
    f"az://myaccount:{BASE64_SAS}@blob.core.windows.net/media?domain=media.example.com",
    f"az://myaccount:{SECRET}@blob.core.chinacloudapi.cn/media?url=https%3A%2F%2Fcdn.example.com%2Fm%2F",
    f"az+http://devstoreaccount1:{SECRET}@127.0.0.1:10000/devstoreaccount1/media",
    f"az+https://myaccount:{BASE64_SAS}@myaccount.privatelink.blob.core.windows.net/media",
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
    ("s3+http://127.0.0.1:9000/media", "no credentials"),
    (f"s3+https://KEY:{SECRET}@r2.example.com/UPPER", "not a valid S3 bucket name"),
    ("az://account@blob.core.windows.net/media", "no credentials"),
    (
        f"az://account:{SECRET}@myaccount.blob.core.windows.net/media",
        "host is blob.core.windows.net",
    ),
    (f"az://account:{SECRET}@127.0.0.1:10000/media", "give other endpoints as az+https://"),
    (f"az://account:{SECRET}!@blob.core.windows.net/media", "credential is not base64"),
    (
        f"az://account:sv=2025-01-05%26sig={SECRET}@blob.core.windows.net/media",
        "SAS token base64-encoded",
    ),
    (
        f"az://My_Account:{SECRET}@blob.core.windows.net/media",
        "account name 'My_Account' is not a valid",
    ),
    (f"az://account:{SECRET}@blob.core.windows.net/", "names no container"),
    (f"az://account:{SECRET}@blob.core.windows.net/Media", "container name 'Media' is not a valid"),
    (
        f"az://account:{SECRET}@blob.core.windows.net/media/uploads",
        "'media/uploads' is not a valid",
    ),
    (f"az://account:{SECRET}@blob.core.windows.net/me--dia", "'me--dia' is not a valid"),
    (f"az://account:{SECRET}@blob.core.windows.net/media?acl=private", "acl= is S3's"),
    (f"az://account:{BASE64_SAS}@blob.core.windows.net/media?qs_auth=true", "qs_auth= is S3's"),
    (f"az+http://devstoreaccount1:{SECRET}@127.0.0.1:10000/devstoreaccount1", "/ACCOUNT/CONTAINER"),
    (f"az+http://devstoreaccount1:{SECRET}@127.0.0.1:10000/other/media", "/ACCOUNT/CONTAINER"),
    (f"az+http://devstoreaccount1:{SECRET}@127.0.0.1:10000/", "names no container"),
    (f"az+http://devstoreaccount1:{SECRET}@/devstoreaccount1/media", "no endpoint host"),
    (f"az+https://account:{SECRET}@127.0.0.1:99999/account/media", "not a URL"),
    ("az+http://127.0.0.1:10000/devstoreaccount1/media", "no credentials"),
]
