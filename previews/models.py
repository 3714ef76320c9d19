from django.contrib.contenttypes.models import ContentType
from django.db import models

# As long as an S3 key may be: the name of a stored file, or of a preview beside it.
NAME_LENGTH = 1024


class Preview(models.Model):
    """What was made of the file one row names in one file field: its thumbnail and large preview.

    ``name`` is the file they were made of; a row whose field names another file (replaced, and
    not yet made again) shows none (previews/admin.py). A file that is an image but gets no
    preview (over a limit, not decodable) has a Preview with empty names, so that it is tried once
    only. Made and deleted by previews/signals.py; the files are in the field's own storage, under
    private names (previews/images.py).
    """

    model = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    # The row's primary key as the database writes it as text (previews.signals.object_key).
    object_id = models.CharField(max_length=255)
    field = models.CharField(max_length=255)
    name = models.CharField(max_length=NAME_LENGTH, help_text="The file the previews show.")
    thumbnail = models.CharField(max_length=NAME_LENGTH, blank=True)
    thumbnail_width = models.PositiveIntegerField(null=True)
    thumbnail_height = models.PositiveIntegerField(null=True)
    large = models.CharField(max_length=NAME_LENGTH, blank=True)
    large_width = models.PositiveIntegerField(null=True)
    large_height = models.PositiveIntegerField(null=True)
    made_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Its index also finds a row's previews, whatever the field: (model, object_id) leads it.
        constraints = [
            models.UniqueConstraint(
                fields=["model", "object_id", "field"], name="previews_one_per_file"
            )
        ]

    def __str__(self):
        return f"Previews of {self.name}"

    def stored_names(self):
        """Return the names of the previews stored."""
        return [name for name in (self.thumbnail, self.large) if name]
