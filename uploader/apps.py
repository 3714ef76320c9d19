from django.apps import AppConfig


class UploaderConfig(AppConfig):
    name = "uploader"

    def ready(self):
        from uploader import checks  # noqa: F401 (the check registers itself)
