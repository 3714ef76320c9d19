"""Helpers shared by the tests."""

from myapp.dsn import local_media


def use_storage_dsn(settings, dsn):
    """Point DEFAULT_STORAGE_DSN at ``dsn`` for one test (pytest-django's ``settings`` fixture).

    Django drops its storage instances only when STORAGES changes, so setting the DSN alone would
    leave the old storage in place; MEDIA_ROOT and MEDIA_URL follow the DSN as in settings.py.
    """
    settings.DEFAULT_STORAGE_DSN = dsn
    settings.MEDIA_ROOT, settings.MEDIA_URL = local_media(dsn)
    settings.STORAGES = {**settings.STORAGES}
