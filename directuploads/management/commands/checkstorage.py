"""``manage.py checkstorage``, which also says whether browsers may send direct uploads."""

from directuploads import cors
from directuploads.storages import for_storage
from myapp.management.commands import checkstorage
from myapp.storage.dsn import redact
from myapp.storage.errors import STORAGE_ERRORS, describe


class Command(checkstorage.Command):
    help = checkstorage.Command.help + (
        " Then says, for each origin of the site, whether browsers may send it direct uploads."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        cors.add_origin_argument(parser)

    def handle(self, *args, origins=None, **options):
        self.origins = origins or cors.site_origins()
        super().handle(*args, **options)

    def probe_storage(self, storage, dsn):
        super().probe_storage(storage, dsn)
        if for_storage(storage):
            self.check_cors(storage, dsn)

    def check_cors(self, storage, dsn):
        """Say whether browsers may send direct uploads from each origin; never a failure."""
        for origin in self.origins:
            try:
                allowed = cors.allows(storage, origin)
            except (OSError, *STORAGE_ERRORS) as error:
                self.stdout.write(redact(f"  cors    {origin}: not asked ({describe(error)})", dsn))
                continue
            if allowed:
                self.stdout.write(f"  cors    direct uploads from {origin} are allowed")
            else:
                self.stdout.write(
                    f"  cors    direct uploads from {origin} are refused: the admin sends files "
                    "through the server instead; `python manage.py allowdirectuploads` adds the "
                    "rule that allows them"
                )
