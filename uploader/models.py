"""An uploaded file: the tutorial's FileField, described once when the file is stored, and
removed from storage with its row (uploader/lifecycle.py).

The storage chooses the name a file is stored under and the type it is served with
(myapp/storage/names.py, content_types.py), whichever way it arrives: with the form, or sent
ahead of it by the browser or while the request arrived (myapp/storage/stored.py).
"""

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from myapp.storage.content_types import served_content_type
from uploader import lifecycle
from uploader.kinds import KIND


class UploadedFile(models.Model):
    file = models.FileField()
    # What the admin lists, recorded when the file is stored, so that a list of a hundred files
    # makes no call to the storage.
    name = models.CharField(max_length=255, editable=False, help_text="As it was uploaded.")
    size = models.PositiveBigIntegerField(null=True, editable=False, help_text="In bytes.")
    content_type = models.CharField(max_length=255, editable=False)
    uploaded_at = models.DateTimeField("uploaded", default=timezone.now, editable=False)
    # Uploads belong to the account that made them: deleting the user deletes them and their
    # files, after the admin's confirmation page has listed them.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="uploaded_files",
    )

    # The name of the file in storage as the database has it, to delete once it is replaced.
    _stored_name = None

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        # One for each order the admin's list offers, read forwards or backwards (the id breaks
        # ties, uploader/admin.py), and for the files of one kind, newest first, by size and by
        # type: a kind is no sample of either of these orders (the largest files are videos; the
        # types of images are not near the start of the alphabet), which an index of the order
        # alone would read through to find those of a kind. On PostgreSQL, migration 0003 also
        # builds a trigram index, which finds any part of a name; SQLite has no such index.
        indexes = [
            models.Index(fields=["-uploaded_at", "-id"], name="uploader_newest_first"),
            models.Index(fields=["name", "id"], name="uploader_by_name"),
            models.Index(fields=["size", "id"], name="uploader_by_size"),
            models.Index(fields=["content_type", "id"], name="uploader_by_content_type"),
            models.Index(fields=["uploaded_by", "id"], name="uploader_by_uploader"),
            models.Index(
                KIND, F("uploaded_at").desc(), F("id").desc(), name="uploader_kind_newest_first"
            ),
            models.Index(KIND, F("size"), F("id"), name="uploader_kind_by_size"),
            models.Index(KIND, F("content_type"), F("id"), name="uploader_kind_by_content_type"),
        ]

    def __str__(self):
        return self.name or self.file.name

    def save(self, *args, **kwargs):
        uploading = bool(self.file) and not self.file._committed
        if uploading:
            self._describe_upload()
        try:
            super().save(*args, **kwargs)
        except BaseException:
            # FileField stores the file before the row is written: if writing it failed, no row
            # names the file.
            if uploading and self.file._committed:
                lifecycle.delete(self.file.storage, self.file.name)
            raise
        if uploading:
            lifecycle.stored(self.file.storage, self.file.name)
        if self._stored_name and self._stored_name != self.file.name:
            lifecycle.delete_after_commit(self.file.storage, self._stored_name, self._state.db)
        self._stored_name = self.file.name

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        if "file" in field_names:
            instance._stored_name = instance.file.name
        return instance

    def describe(self, uploaded_name, size, content_type):
        """Record what the admin lists of the file: as it was uploaded, its size and type."""
        self.name = unicodedata.normalize("NFC", uploaded_name)[:255]
        self.size, self.content_type = size, content_type
        self.uploaded_at = timezone.now()

    def _describe_upload(self):
        stored_name = self.file.field.generate_filename(self, self.file.name)
        self.describe(self.file.name, self.file.size, served_content_type(stored_name))


@receiver(post_delete, sender=UploadedFile)
def delete_file_with_row(sender, instance, using, **kwargs):
    """Sent for every row deleted, one by one, in bulk or by a cascade."""
    if instance.file:
        lifecycle.delete_after_commit(instance.file.storage, instance.file.name, using)
