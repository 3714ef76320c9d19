from django.apps import AppConfig


class PreviewsConfig(AppConfig):
    """Image previews, made once when a file is stored, shown in the admin (docs/previews.md)."""

    name = "previews"
    verbose_name = "Previews"

    def ready(self):
        from django.contrib import admin

        from previews import signals
        from previews.admin import enable

        # Every model is loaded by now: each one with a file field gets its previews made and
        # deleted with its files.
        signals.connect()
        # The admin has found every admin module by now: it is listed before this app.
        enable(admin.site)
