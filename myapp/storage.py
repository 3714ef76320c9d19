"""Storage backends behind the DSN schemes, registered with django-storage-url.

django-storage-url turns DEFAULT_STORAGE_DSN into a storage; the classes here fix what it gets
wrong on current Django and django-storages, scheme by scheme.
"""

from django.core.files import storage
from django_storage_url import register_storage_class

from myapp.dsn import local_media


class FileSystemStorage(storage.FileSystemStorage):
    """``file://PATH/?url=URL``. django-storage-url's own class keeps PATH percent-encoded, so a
    checkout in ``my project`` would store its media in a folder named ``my%20project``."""

    def __init__(self, dsn):
        location, base_url = local_media(dsn)
        super().__init__(location=location, base_url=base_url)


def register_schemes():
    register_storage_class("file", "myapp.storage.FileSystemStorage")
