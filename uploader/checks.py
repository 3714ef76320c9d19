"""A wrong UPLOAD_MAX_SIZE stops runserver, migrate and gunicorn at start-up, not an upload."""

from django.core import checks

from uploader.validators import max_upload_size


@checks.register
def check_upload_max_size(app_configs, **kwargs):
    try:
        max_upload_size()
    except ValueError as error:
        return [
            checks.Error(
                f"UPLOAD_MAX_SIZE is not usable: {error}.",
                hint="Set it to the largest file the admin should accept, e.g. 100M.",
                id="uploader.E001",
            )
        ]
    return []
