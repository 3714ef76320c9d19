"""What the media commands share: a storage from a DSN given on the command line."""

from django.core.management.base import CommandError

from myapp.storage.dsn import InvalidDSN, open_storage


def storage_from(dsn, what):
    """Return the storage ``dsn`` describes, or raise a CommandError naming ``what`` is wrong."""
    try:
        return open_storage(dsn)
    except InvalidDSN as error:
        raise CommandError(f"{what} is not a usable storage DSN: {error}.") from None
