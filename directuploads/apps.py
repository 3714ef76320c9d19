from django.apps import AppConfig


class DirectUploadsConfig(AppConfig):
    """Files sent from the browser straight to the bucket or container, in the admin.

    Listed before myapp in INSTALLED_APPS, so that its ``checkstorage`` and ``sweepuploads``,
    which extend the project's own, are the ones manage.py runs.
    """

    name = "directuploads"
    verbose_name = "Direct uploads"

    def ready(self):
        from django.contrib import admin

        from directuploads.admin import enable

        # The admin has found every admin module by now: it is listed first in INSTALLED_APPS.
        enable(admin.site)
