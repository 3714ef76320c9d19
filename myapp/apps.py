from django.apps import AppConfig


class MyappConfig(AppConfig):
    name = "myapp"
    verbose_name = "Project infrastructure"

    def ready(self):
        from myapp import checks  # noqa: F401 - the checks register themselves
        from myapp.storage import backends

        backends.register_schemes()
