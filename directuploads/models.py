from django.conf import settings
from django.db import models

from myapp.models import NameReservation
from myapp.storage import reservations


class DirectUpload(models.Model):
    """A file a browser sends straight to the storage, under the name it holds until it is saved.

    Made when the upload starts, deleted with its reservation once the form naming it is saved or
    the upload is given up (``release``); ``manage.py sweepuploads`` removes what was abandoned.
    Until then, the same user choosing the same file again for the same field resumes it.
    """

    # Protected: the name is released with the upload, never from under it.
    reservation = models.OneToOneField(NameReservation, on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # The file field it is for, "app_label.model_name.field": only an upload for the same field
    # is resumed.
    field = models.CharField(max_length=255, blank=True)
    # What the browser announced, as the form's validators judged it.
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=255)
    # What else the browser said of the file, by which choosing it again resumes this upload: its
    # date (milliseconds since 1970) and a SHA-256 of its first and last MiB, in base64.
    last_modified = models.BigIntegerField(null=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    # The checksum each part carries ("sha256", "md5", or "" for none), and each part's checksum
    # in base64 as the browser computed it and the server signed it into the part's upload.
    checksum = models.CharField(max_length=16, blank=True)
    checksums = models.JSONField(default=dict, blank=True)
    # The S3 multipart upload's id (Azure: the staged blob's name), while it is neither completed
    # nor aborted.
    upload_id = models.CharField(max_length=1024, blank=True)
    completed_at = models.DateTimeField(null=True)

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name the file is stored under."""
        return self.reservation.name

    def release(self):
        """Delete the upload and free its name: its file was saved, or given up."""
        reservation = self.reservation
        self.delete()
        reservations.release(reservation)
