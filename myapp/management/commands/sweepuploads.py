"""``manage.py sweepuploads [--older-than HOURS]``: remove what unfinished uploads left behind.

A web server stopped in the middle of an upload leaves its name held, and on S3 its parts
(unlisted, but billed), or an object no row names. Run it daily, e.g. from a cron job; the
bucket lifecycle rule in docs/uploads.md does the same for parts alone.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import ProtectedError
from django.utils import timezone
from storages.backends.s3 import S3Storage

from myapp.management.storages import storage_from
from myapp.models import NameReservation
from myapp.storage.errors import STORAGE_ERRORS, describe
from myapp.storage.reservations import name_in_use, storage_key


class Command(BaseCommand):
    help = (
        "Free the names that uploads to DEFAULT_STORAGE_DSN's storage begun more than "
        "--older-than hours ago still hold, delete what they stored that no row names, and abort "
        "their parts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=24,
            metavar="HOURS",
            help="Leave alone what started less than this long ago (default: 24).",
        )

    def handle(self, *args, older_than, **options):
        storage = storage_from(settings.DEFAULT_STORAGE_DSN, "DEFAULT_STORAGE_DSN")
        swept, failed = self.sweep(storage, timezone.now() - timedelta(hours=older_than))
        self.stdout.write(f"swept {swept}, failed {failed}")
        if failed:
            raise SystemExit(1)

    def sweep(self, storage, cutoff):
        """Sweep what the uploads to ``storage`` begun before ``cutoff`` left; return how many
        were swept and how many failed."""
        swept = failed = 0
        stale = NameReservation.objects.filter(storage=storage_key(storage), started_at__lt=cutoff)
        for reservation in stale:
            try:
                if not name_in_use(storage, reservation.name):
                    storage.delete(reservation.name)
                reservation.delete()
                swept += 1
            except ProtectedError:
                pass  # held by an upload of an app that sweeps its own
            except STORAGE_ERRORS as error:
                failed += 1
                self.failed(reservation.name, error)
        if isinstance(storage, S3Storage):
            swept += self.abort_parts(storage, cutoff)
        return swept, failed

    def abort_parts(self, storage, cutoff):
        """Abort the multipart uploads begun before ``cutoff``: none of them will be completed."""
        client = storage.connection.meta.client
        paginator = client.get_paginator("list_multipart_uploads")
        aborted = 0
        for page in paginator.paginate(
            Bucket=storage.bucket_name, Prefix=storage.location.strip("/")
        ):
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < cutoff:
                    client.abort_multipart_upload(
                        Bucket=storage.bucket_name, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    aborted += 1
        return aborted

    def failed(self, name, error):
        self.stderr.write(f"failed {name}: {describe(error)}")
