"""Storage DSNs (``DEFAULT_STORAGE_DSN``): their forms, their secret, the storage they open.

Settings import this module, so it stays light and none of it raises, whatever the text: what
is wrong with a DSN is for ``myapp.storage.validation`` to say, when the checks run or
``backends.open_storage`` opens it.
"""

import base64
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

# The accepted forms, by scheme; the configuration check shows them when a DSN is wrong.
FORMS = {
    "file": "file:///absolute/folder/?url=%2Fmedia%2F",
    "s3": "s3://KEY:SECRET@BUCKET.s3.REGION.amazonaws.com/[PREFIX/]?auth=s3v4&domain=HOST",
    "s3+https": "s3+https://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX]?region=REGION",
    "s3+http": "s3+http://KEY:SECRET@HOST:PORT/BUCKET[/PREFIX]",
    "az": "az://ACCOUNT:KEY_OR_BASE64_SAS@blob.core.windows.net/CONTAINER?domain=HOST",
    "az+https": "az+https://ACCOUNT:KEY_OR_BASE64_SAS@HOST[:PORT]/[ACCOUNT/]CONTAINER",
    "az+http": "az+http://ACCOUNT:KEY_OR_BASE64_SAS@HOST:PORT/ACCOUNT/CONTAINER",
}
AZURE_SCHEMES = {"az", "az+https", "az+http"}
ACL_NONE = "none"
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
# A URL's user information: everything between "//" and the last "@" before the path.
USERINFO = re.compile(r"[^:/?#]*://([^/?#]*)@")


def is_true(value):
    """Return whether a DSN's query value means yes (``true``, ``1``, ``yes``, ``on``)."""
    return str(value).lower() in TRUE


def secret_forms(dsn):
    """Return every form in which the secret of ``dsn`` may show in a text, longest first.

    The secret is what lies between the first ``:`` of the user information and its last ``@``:
    as written, decoded, percent-encoded, and, for a base64-encoded SAS token, decoded from base64.
    """
    match = USERINFO.match(dsn)
    secret = match[1].partition(":")[2] if match else ""
    if not secret:
        return []
    # Any text may be a DSN, a lone surrogate included, which UTF-8 would refuse to encode.
    forms = {secret, unquote(secret), quote(unquote(secret), safe="", errors="surrogatepass")}
    decoded = (decode_base64(unquote(secret)) or b"").decode("ascii", "replace")
    if decoded.isprintable():
        forms.add(decoded)
    return sorted(filter(None, forms), key=len, reverse=True)


def redact(text, dsn):
    """Return ``text`` with the secret of ``dsn`` replaced by ``***``, in every form it may take.

    ``redact(dsn, dsn)`` is the DSN itself, safe to print or log; any text does, however
    malformed the DSN.
    """
    for form in secret_forms(dsn):
        text = text.replace(form, "***")
    return text


def decode_base64(text):
    """Return the bytes that ``text`` encodes in base64 (its padding may be left out), or None."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError:  # binascii.Error, or characters that are not ASCII
        return None


def local_media(dsn):
    """Return ``(MEDIA_ROOT, MEDIA_URL)`` of a ``file://`` DSN, or ``("", "")`` for any other.

    Django serves local media in DEBUG from these two settings; deriving them from the DSN that
    the storage itself reads means they can never point somewhere else. A DSN that cannot be
    read gives ``("", "")``: the check names what is wrong with it.
    """
    try:
        url = urlsplit(dsn)
    except ValueError:
        return "", ""
    if url.scheme != "file" or url.netloc:
        return "", ""
    base_url = dict(parse_qsl(url.query)).get("url", "")
    # Django refuses a MEDIA_URL without its final slash; the storage adds one as well.
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    # django-storage-url keeps the path percent-encoded as its storage location; a folder name
    # with a space or a non-ASCII letter must reach the disk decoded.
    return unquote(url.path), base_url
