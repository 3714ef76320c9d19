from django.apps import AppConfig


class MyappConfig(AppConfig):
    name = "myapp"
    verbose_name = "Project infrastructure"

    def ready(self):
        from myapp import checks, storage  # noqa: F401 (checks register themselves)

        storage.register_schemes()
