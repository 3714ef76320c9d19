from django.db import models


class NameReservation(models.Model):
    """A name that an upload on its way to a storage holds, so that no other upload takes it.

    Made when the upload starts, deleted once its file is saved or given up (myapp/storage/
    reservations.py); ``manage.py sweepuploads`` deletes those that a stopped process left.
    """

    # Which storage the name is in (reservations.storage_key), and the name.
    storage = models.CharField(max_length=255)
    # As long as an S3 key may be: a name is held before the storage has cleaned it.
    name = models.CharField(max_length=1024)
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["storage", "name"], name="one_upload_per_name")
        ]
        indexes = [models.Index(fields=["started_at"], name="upload_started_at")]

    def __str__(self):
        return self.name
