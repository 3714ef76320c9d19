"""``manage.py checkstorage [DSN]``: is this storage DSN right? Answered before the first upload.

A probe file goes through what an upload and its link go through: written, read back, fetched at
its URL, deleted. Each step is printed with its time; the first that fails stops the check with
the reason and exit status 1. The DSN's secret is never printed.
"""

import contextlib
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from storages.backends.azure_storage import AzureStorage

from myapp.management.storages import storage_from
from myapp.storage.dsn import redact
from myapp.storage.errors import STORAGE_ERRORS, describe
from myapp.storage.names import private_name

PROBE = b"A probe written by manage.py checkstorage. If it is still here, a check was cut short.\n"
# A private name (myapp/storage/names.py): no upload can have it.
PROBE_PREFIX = private_name("checkstorage-")
URL_TIMEOUT = 10


class ProbeFailed(Exception):
    """A step worked but gave a wrong result."""


class Probe:
    def __init__(self, storage):
        self.storage = storage
        self.name = None

    def write(self):
        self.name = self.storage.save(f"{PROBE_PREFIX}{uuid.uuid4().hex}.txt", ContentFile(PROBE))
        return f"{self.name}, {len(PROBE)} bytes"

    def read(self):
        with self.storage.open(self.name, "rb") as file:
            self.compare(file.read())
        return "the same bytes back"

    def open_url(self):
        url = self.storage.url(self.name)
        if urlsplit(url).scheme not in ("http", "https"):
            return f"{url}: a path on this site, served with DJANGO_DEBUG=True (not fetched)"
        # A signed URL's query is long and says nothing to a reader.
        address, _, query = url.partition("?")
        shown = f"{address}?… (signed)" if query else url
        try:
            # An http(s) URL, as checked above.
            with urllib.request.urlopen(url, timeout=URL_TIMEOUT) as response:  # noqa: S310
                self.compare(response.read())
        except urllib.error.HTTPError as error:
            raise ProbeFailed(
                f"{shown} answers HTTP {error.code} {error.reason}: links to uploads will not "
                f"open. {public_access_hint(self.storage)}"
            ) from None
        except urllib.error.URLError as error:
            raise ProbeFailed(
                f"{shown} does not open ({error.reason}): check domain= or url= in the DSN"
            ) from None
        return f"{shown} serves the same bytes"

    def delete(self):
        self.storage.delete(self.name)
        if self.storage.exists(self.name):
            raise ProbeFailed(f"{self.name} is still there after being deleted")
        self.name = None
        return "deleted"

    def compare(self, content):
        if content != PROBE:
            raise ProbeFailed(f"got {len(content)} other bytes instead of the {len(PROBE)} written")

    def clean_up(self):
        """Delete the probe if a later step failed; the reason already given is what matters."""
        if self.name:
            with contextlib.suppress(STORAGE_ERRORS):
                self.storage.delete(self.name)


def public_access_hint(storage):
    if isinstance(storage, AzureStorage):
        return (
            "An Azure container serves its blobs to anyone only with its public access level set "
            "to Blob; domain= and url= must name a host that serves the container"
        )
    return (
        "A public bucket needs acl=public-read, a private one qs_auth=true; domain= and url= must "
        "name a host that serves the bucket"
    )


class Command(BaseCommand):
    help = (
        "Write, read, fetch at its URL and delete a probe file in DEFAULT_STORAGE_DSN's storage, "
        "or the DSN given, printing each step and its time. Exits with status 1 and the reason "
        "at the first step that fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "dsn", nargs="?", help="The storage DSN to check (default: DEFAULT_STORAGE_DSN)."
        )

    def handle(self, *args, dsn=None, **options):
        what = "The DSN given" if dsn else "DEFAULT_STORAGE_DSN"
        dsn = dsn or settings.DEFAULT_STORAGE_DSN
        storage = storage_from(dsn, what)
        self.stdout.write(f"Checking {redact(dsn, dsn)} ({type(storage).__name__})")
        self.probe_storage(storage, dsn)

    def probe_storage(self, storage, dsn):
        """Write, read, fetch and delete a probe file, printing each step; raise CommandError
        with the reason at the first that fails."""
        probe = Probe(storage)
        try:
            for label, step in [
                ("write", probe.write),
                ("read", probe.read),
                ("url", probe.open_url),
                ("delete", probe.delete),
            ]:
                started = time.monotonic()
                try:
                    result = step()
                except (ProbeFailed, *STORAGE_ERRORS) as error:
                    reason = str(error) if isinstance(error, ProbeFailed) else describe(error)
                    raise CommandError(redact(f"{label} failed: {reason}", dsn)) from None
                elapsed = (time.monotonic() - started) * 1000
                self.stdout.write(f"  {label:<7} {result} ({elapsed:.0f} ms)")
        finally:
            probe.clean_up()
        self.stdout.write(self.style.SUCCESS("The storage works."))
