"""What the media commands share: a storage from a DSN given on the command line, origins."""

from django.conf import settings
from django.core.management.base import CommandError

from myapp.storage.dsn import InvalidDSN, open_storage


def storage_from(dsn, what):
    """Return the storage ``dsn`` describes, or raise a CommandError naming ``what`` is wrong."""
    try:
        return open_storage(dsn)
    except InvalidDSN as error:
        raise CommandError(f"{what} is not a usable storage DSN: {error}.") from None


def site_origins():
    """Return the origins the site's pages come from: https:// and each of its host names."""
    return settings.CSRF_TRUSTED_ORIGINS


def add_origin_argument(parser):
    parser.add_argument(
        "--origin",
        dest="origins",
        action="append",
        metavar="URL",
        help=(
            "An origin the admin's pages come from, such as http://127.0.0.1:8000 (repeat it "
            "for several; default: https:// and each of DOMAIN, DOMAIN_ALIASES)."
        ),
    )
