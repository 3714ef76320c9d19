from django.db import migrations


class Migration(migrations.Migration):
    """Uploads keep only the name they hold here; direct uploads keep the rest in their app."""

    dependencies = [
        ("myapp", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("Upload", "NameReservation"),
        migrations.RemoveField("namereservation", "user"),
        migrations.RemoveField("namereservation", "original_name"),
        migrations.RemoveField("namereservation", "size"),
        migrations.RemoveField("namereservation", "content_type"),
        migrations.RemoveField("namereservation", "upload_id"),
        migrations.RemoveField("namereservation", "completed_at"),
    ]
