"""Uploads on their way to a storage: the names they hold, and who started them."""

from django.conf import settings
from django.db import models


class Upload(models.Model):
    """A file on its way to a storage, under a name that no other upload may take meanwhile.

    Made when an upload starts (through the web server, or directly from a browser), deleted once
    its file is saved or it is given up; ``manage.py sweepuploads`` removes what was abandoned.
    """

    # Which storage the name is in (myapp.storage.reservations.storage_key), and the name.
    storage = models.CharField(max_length=255)
    # As long as an S3 key may be: the name of a file through the web server is not cleaned yet.
    name = models.CharField(max_length=1024)
    # What a direct upload announced, and its state; empty for one through the web server.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True)
    content_type = models.CharField(max_length=255, blank=True)
    # The S3 multipart upload's id, while it is neither completed nor aborted.
    upload_id = models.CharField(max_length=1024, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["storage", "name"], name="one_upload_per_name")
        ]
        indexes = [models.Index(fields=["started_at"], name="upload_started_at")]

    def __str__(self):
        return self.name
