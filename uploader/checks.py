"""A wrong UPLOAD_MAX_SIZE stops runserver, migrate and gunicorn at start-up, not an upload."""

from django.conf import settings
from django.core import checks

from uploader.validators import parse_size


@checks.register
def check_upload_max_size(app_configs, **kwargs):
    try:
        parse_size(settings.UPLOAD_MAX_SIZE)
    except ValueError as error:
        return [
            checks.Error(
                f"UPLOAD_MAX_SIZE is not usable: {error}.",
                hint="Set it to the largest file the admin should accept, e.g. 100M.",
                id="uploader.E001",
            )
        ]
    return []
