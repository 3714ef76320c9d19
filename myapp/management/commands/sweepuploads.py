"""``manage.py sweepuploads [--older-than HOURS]``: remove what unfinished uploads left behind.

An upload cancelled, abandoned (the tab closed) or whose form was never saved keeps its parts
(unlisted, but billed) or its object, and holds its name. Run it daily, e.g. from a cron job; the
bucket lifecycle rule in docs/uploads.md does the same for parts alone.
"""

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone

from myapp.management.storages import storage_from
from myapp.storage import direct, reservations
from myapp.storage.errors import STORAGE_ERRORS, describe
from myapp.storage.models import Upload


def name_in_use(storage, name):
    """Return whether a row of any model names ``name`` in a file field of ``storage``."""
    key = reservations.storage_key(storage)
    return any(
        model._default_manager.filter(**{field.name: name}).exists()
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField) and reservations.storage_key(field.storage) == key
    )


class Command(BaseCommand):
    help = (
        "Abort the uploads to DEFAULT_STORAGE_DSN's storage that started more than --older-than "
        "hours ago and were never saved, delete what they stored, and free their names."
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
        uploads = direct.for_storage(storage)
        cutoff = timezone.now() - timedelta(hours=older_than)
        swept = failed = 0
        stale = Upload.objects.filter(
            storage=reservations.storage_key(storage), started_at__lt=cutoff
        )
        for upload in stale if uploads else []:
            try:
                if not name_in_use(storage, upload.name):
                    uploads.discard(upload)
                reservations.release(upload)
                swept += 1
            except STORAGE_ERRORS as error:
                failed += 1
                self.stderr.write(f"failed {upload.name}: {describe(error)}")
        if isinstance(uploads, direct.S3DirectUploads):
            swept += self.abort_parts(uploads, cutoff)
        self.stdout.write(f"swept {swept}, failed {failed}")
        if failed:
            raise SystemExit(1)

    def abort_parts(self, uploads, cutoff):
        """Abort the multipart uploads begun before ``cutoff`` that no row knows of.

        A web server killed in the middle of an upload leaves those.
        """
        prefix = uploads.storage.location.strip("/")
        paginator = uploads.client.get_paginator("list_multipart_uploads")
        aborted = 0
        for page in paginator.paginate(Bucket=uploads.bucket, Prefix=prefix):
            for part in page.get("Uploads", []):
                if part["Initiated"] < cutoff:
                    uploads.client.abort_multipart_upload(
                        Bucket=uploads.bucket, Key=part["Key"], UploadId=part["UploadId"]
                    )
                    aborted += 1
        return aborted
