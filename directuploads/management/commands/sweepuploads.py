"""``manage.py sweepuploads``, which also removes what abandoned direct uploads left behind.

A direct upload cancelled, abandoned (the tab closed) or whose form was never saved keeps its
parts or blocks (unlisted, but billed), or its object, and holds its name.
"""

from directuploads.models import DirectUpload
from directuploads.storages import AzureDirectUploads, for_storage
from myapp.management.commands import sweepuploads
from myapp.storage.errors import STORAGE_ERRORS
from myapp.storage.reservations import name_in_use, storage_key


class Command(sweepuploads.Command):
    def sweep(self, storage, cutoff):
        swept = failed = 0
        uploads = for_storage(storage)
        stale = DirectUpload.objects.select_related("reservation").filter(
            reservation__storage=storage_key(storage), reservation__started_at__lt=cutoff
        )
        for upload in stale if uploads else []:
            try:
                if not name_in_use(storage, upload.name):
                    uploads.discard(upload)
                upload.release()
                swept += 1
            except STORAGE_ERRORS as error:
                failed += 1
                self.failed(upload.name, error)
        if isinstance(uploads, AzureDirectUploads):
            swept += uploads.sweep(cutoff)
        more_swept, more_failed = super().sweep(storage, cutoff)
        return swept + more_swept, failed + more_failed
