from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class MyappConfig(AppConfig):
    name = "myapp"
    verbose_name = "Project infrastructure"

    def ready(self):
        from myapp import checks  # noqa: F401 - the checks register themselves
        from myapp.storage import backends

        backends.register_schemes()
        make_sqlite_folders()


def make_sqlite_folders():
    """Make the folder of each SQLite database file that lacks one.

    The embedded default keeps its database in data/, which a fresh clone does not have:
    `python manage.py migrate` would otherwise stop with "unable to open database file".
    """
    for database in settings.DATABASES.values():
        name = str(database.get("NAME") or ":memory:")
        in_a_file = name != ":memory:" and not name.startswith("file:")
        if database.get("ENGINE") == "django.db.backends.sqlite3" and in_a_file:
            Path(name).parent.mkdir(parents=True, exist_ok=True)
