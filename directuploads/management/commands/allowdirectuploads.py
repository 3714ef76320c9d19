"""``manage.py allowdirectuploads [--origin URL]``: let browsers send uploads to the storage.

It adds to the bucket's CORS rules (or, for Azure, to the account's Blob service) the one rule
direct uploads need: PUT from the site's origins, any header. Other rules are kept. It needs
credentials that may change them (s3:PutBucketCORS; Azure's account key).
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from directuploads import cors
from directuploads.storages import for_storage
from myapp.management.storages import storage_from
from myapp.storage.errors import STORAGE_ERRORS, describe


class Command(BaseCommand):
    help = (
        "Add the CORS rule that lets browsers send the admin's uploads straight to "
        "DEFAULT_STORAGE_DSN's bucket or Azure account, from the site's origins."
    )

    def add_arguments(self, parser):
        cors.add_origin_argument(parser)

    def handle(self, *args, origins=None, **options):
        storage = storage_from(settings.DEFAULT_STORAGE_DSN, "DEFAULT_STORAGE_DSN")
        if not for_storage(storage):
            raise CommandError(
                f"{type(storage).__name__} takes no direct uploads: only S3 and Azure (with the "
                "account key) do."
            )
        origins = origins or cors.site_origins()
        if not origins:
            raise CommandError("No origin: set DOMAIN, or give --origin https://HOST.")
        try:
            cors.allow(storage, origins)
        except STORAGE_ERRORS as error:
            raise CommandError(f"The CORS rules could not be changed: {describe(error)}.") from None
        rule = {"AllowedOrigins": origins, "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]}
        self.stdout.write(f"Direct uploads allowed: {json.dumps(rule)}")
