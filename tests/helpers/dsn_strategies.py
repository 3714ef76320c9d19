"""Hypothesis strategies: storage DSNs drawn from each scheme's grammar, and the same broken.

``dsns()`` draws ``(dsn, secret)`` pairs that the project must accept; ``broken_dsns()`` breaks
them the ways a value pasted into an environment variable breaks: characters inserted, deleted
or swapped, ports out of range, escapes cut short, names too long, hosts in another alphabet.
"""

import base64
import string
from urllib.parse import quote

from hypothesis import strategies as st

BUCKET_ENDPOINTS = [
    "s3.amazonaws.com",
    "s3-eu-central-1.amazonaws.com",
    "s3.eu-west-1.amazonaws.com",
    "sos-ch-dk-2.exo.io",
    "localhost",
]
AZURE_SUFFIXES = ["blob.core.windows.net", "blob.core.chinacloudapi.cn"]
ACLS = ["private", "public-read", "none", "bucket-owner-full-control"]
# What a secret may hold: whatever a provider puts in one, as the DSN percent-encodes it.
SECRET_ALPHABET = string.ascii_letters + string.digits + "/+=-_.~!*'()"
# What breaks a DSN: characters that mean something in a URL, that are not allowed in one, or
# that are not ASCII.
HOSTILE = [*":/?#[]@!$&'()*+,;=% \t\n\r\x00\x7f", "ü", "履", "\u202e", "..", "%G", "%4"]

label = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hostname = st.lists(label, min_size=1, max_size=3).map(".".join).map(lambda h: f"{h}.example")
address = st.one_of(
    hostname,
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(lambda ip: f"[{ip}]"),
)
port = st.integers(1, 65535)
bucket = st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}[a-z0-9]", fullmatch=True)
account = st.from_regex(r"[a-z0-9]{3,24}", fullmatch=True)
container = st.from_regex(r"[a-z0-9](?:[a-z0-9]|-(?!-)){1,20}[a-z0-9]", fullmatch=True)
key = st.text(string.ascii_uppercase + string.digits, min_size=4, max_size=20)
# A marker in every S3 secret, so that no test data is mistaken for it.
s3_secret = st.text(SECRET_ALPHABET, min_size=4, max_size=30).map(lambda s: f"Sekr{s}")
# Account keys are base64 of 64 bytes; a SAS token is given base64-encoded.
azure_secret = st.binary(min_size=32, max_size=64).map(lambda b: base64.b64encode(b).decode())
web_url = st.builds(lambda host, path: f"https://{host}/{path}", hostname, label)
# The query parameters every S3 scheme takes.
S3_PARAMETERS = {
    "acl": st.sampled_from(ACLS),
    "qs_auth": st.sampled_from(["true", "false"]),
    "url": web_url,
}


def encoded(text):
    return quote(text, safe="")


def query(**choices):
    """Draw a query string from some of ``choices`` (name: strategy), in any order."""
    names = sorted(choices)
    return st.lists(st.sampled_from(names), unique=True).flatmap(
        lambda chosen: st.tuples(*(choices[name] for name in chosen)).map(
            lambda values: "&".join(
                f"{name}={encoded(value)}" for name, value in zip(chosen, values, strict=True)
            )
        )
    )


@st.composite
def s3_dsn(draw):
    secret = draw(s3_secret)
    host = f"{draw(bucket)}.{draw(st.sampled_from(BUCKET_ENDPOINTS))}"
    prefix = draw(st.sampled_from(["", "uploads/", "a/b/"]))
    parameters = draw(query(auth=st.sampled_from(["s3", "s3v4"]), domain=hostname, **S3_PARAMETERS))
    return f"s3://{draw(key)}:{encoded(secret)}@{host}/{prefix}?{parameters}", secret


@st.composite
def endpoint_s3_dsn(draw):
    secret = draw(s3_secret)
    scheme = draw(st.sampled_from(["s3+http", "s3+https"]))
    netloc = f"{draw(address)}" + draw(st.one_of(st.just(""), port.map(lambda p: f":{p}")))
    path = f"{draw(bucket)}" + draw(st.sampled_from(["", "/uploads", "/a/b"]))
    parameters = draw(
        query(region=st.sampled_from(["us-east-1", "auto", "eu-west-1"]), **S3_PARAMETERS)
    )
    return f"{scheme}://{draw(key)}:{encoded(secret)}@{netloc}/{path}?{parameters}", secret


@st.composite
def azure_dsn(draw):
    secret = draw(azure_secret)
    name, suffix = draw(account), draw(st.sampled_from(AZURE_SUFFIXES))
    parameters = draw(query(domain=hostname, url=web_url))
    return f"az://{name}:{encoded(secret)}@{suffix}/{draw(container)}?{parameters}", secret


@st.composite
def endpoint_azure_dsn(draw):
    secret = draw(azure_secret)
    scheme, name = draw(st.sampled_from(["az+http", "az+https"])), draw(account)
    if draw(st.booleans()):  # Azurite's form: the account first in the path
        host = draw(st.one_of(hostname, st.ip_addresses(v=4).map(str)))
        netloc = f"{host}:{draw(port)}"
        path = f"{name}/{draw(container)}"
    else:
        netloc, path = f"{name}.{draw(hostname)}", draw(container)
    return f"{scheme}://{name}:{encoded(secret)}@{netloc}/{path}", secret


@st.composite
def file_dsn(draw):
    folders = draw(st.lists(st.text(string.ascii_letters + "é -_", min_size=1), min_size=1))
    path = "/".join(quote(folder) for folder in folders)
    served = draw(st.one_of(st.just("/media/"), web_url))
    return f"file:///{path}/?url={encoded(served)}", ""


def dsns():
    """Draw ``(dsn, secret)``: a DSN of any scheme that the project must accept."""
    return st.one_of(s3_dsn(), endpoint_s3_dsn(), azure_dsn(), endpoint_azure_dsn(), file_dsn())


@st.composite
def mutation(draw, dsn):
    """Break ``dsn`` once, as a hand or a tool breaks a value."""
    where = draw(st.integers(0, len(dsn)))
    kind = draw(
        st.sampled_from(["insert", "delete", "duplicate", "port", "long", "wrap", "alphabet"])
    )
    if kind == "insert":
        return dsn[:where] + draw(st.sampled_from(HOSTILE)) + dsn[where:]
    if kind == "delete":
        return dsn[:where] + dsn[where + draw(st.integers(1, 8)) :]
    if kind == "duplicate":
        return dsn[:where] + dsn[where : where + draw(st.integers(1, 12))] + dsn[where:]
    if kind == "port":
        bad = draw(st.sampled_from(["0", "65536", "99999", "-1", "8o8o", "", " 80"]))
        host_end = dsn.find("/", dsn.find("@") + 1)
        return dsn[:host_end] + f":{bad}" + dsn[host_end:] if host_end > 0 else dsn + f":{bad}"
    if kind == "long":
        return dsn[:where] + "a" * draw(st.integers(60, 300)) + dsn[where:]
    if kind == "wrap":
        return (
            draw(st.sampled_from([" ", "\n", "\t", '"', "'"]))
            + dsn
            + draw(st.sampled_from(["", " ", "\n", '"']))
        )
    return dsn[:where] + draw(st.text(st.characters(min_codepoint=0xA0), min_size=1)) + dsn[where:]


@st.composite
def broken_dsns(draw):
    """Draw ``(dsn, secret)``: a DSN of any scheme, broken once or a few times."""
    dsn, secret = draw(dsns())
    for _ in range(draw(st.integers(1, 3))):
        dsn = draw(mutation(dsn))
    return dsn, secret
