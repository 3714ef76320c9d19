"""Names reserved for uploads in progress, in the database, so that every instance sees them.

Two uploads of one name that start at the same moment, through two web servers or two browsers,
would otherwise both find the name free and one would replace or be refused by the other; a
reservation makes the second take another name, as Django's own storages do for a name taken.
"""

import logging
import os

from django.apps import apps
from django.db import IntegrityError, models, transaction

from myapp.models import NameReservation

logger = logging.getLogger(__name__)


def storage_key(storage):
    """Return what identifies ``storage`` among those the reservations are for."""
    if hasattr(storage, "bucket_name"):
        return f"s3:{storage.endpoint_url}/{storage.bucket_name}/{storage.location}"[:255]
    if hasattr(storage, "azure_container"):
        return f"az:{storage.account_name}/{storage.azure_container}"[:255]
    return f"file:{storage.location}"[:255]


def is_reserved(storage, name):
    """Return whether an upload in progress holds ``name`` in ``storage``."""
    return NameReservation.objects.filter(storage=storage_key(storage), name=name).exists()


def reserve(storage, name, max_length=None):
    """Return a new NameReservation of a name that is free in ``storage``: ``name`` or another.

    The row is committed at once, so that every other upload sees the name taken.
    """
    key = storage_key(storage)
    while True:
        name = storage.get_available_name(name, max_length=max_length)
        try:
            with transaction.atomic():
                return NameReservation.objects.create(storage=key, name=name)
        except IntegrityError:  # reserved by another upload since get_available_name looked
            name = storage.get_alternative_name(*os.path.splitext(name))


def release(reservation):
    """Delete the reservation: its file was saved, or given up."""
    try:
        NameReservation.objects.filter(pk=reservation.pk).delete()
    except Exception:
        logger.exception("Could not release the name %s reserved for an upload", reservation.name)


def name_in_use(storage, name):
    """Return whether a row of any model names ``name`` in a file field of ``storage``."""
    key = storage_key(storage)
    return any(
        model._default_manager.filter(**{field.name: name}).exists()
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField) and storage_key(field.storage) == key
    )


class ReservedNamesMixin:
    """For a storage: a name that an upload in progress holds is not available either."""

    def get_available_name(self, name, max_length=None):
        while True:
            name = super().get_available_name(name, max_length)
            if self.replaces_files() or not is_reserved(self, name):
                return name
            name = self.get_alternative_name(*os.path.splitext(name))

    def replaces_files(self):
        """Return whether this storage saves under the name given, replacing what is there."""
        return getattr(self, "file_overwrite", False) or getattr(self, "overwrite_files", False)
