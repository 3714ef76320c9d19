"""What the storage commands share: the storage a DSN names, or the reason it names none."""

from django.core.management.base import CommandError

from myapp.storage.backends import InvalidDSN, open_storage


def storage_from(dsn, what):
    """Return the storage ``dsn`` describes, or raise a CommandError naming ``what`` is wrong."""
    try:
        return open_storage(dsn)
    except InvalidDSN as error:
        raise CommandError(f"{what} is not a usable storage DSN: {error}.") from None
