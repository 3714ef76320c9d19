"""The upload size limit, UPLOAD_MAX_SIZE (myapp/settings.py)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

SIZE = re.compile(r"\s*(\d+)\s*([KMG]?)\s*", re.IGNORECASE)
UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(text):
    """Bytes in ``500M``, ``64K``, ``2G`` or ``1048576``; ValueError if it is none of these."""
    match = SIZE.fullmatch(str(text))
    if not match or not int(match[1]):
        raise ValueError(f"{text!r} is not a size: give bytes, or a number with K, M or G (500M)")
    return int(match[1]) * UNITS[match[2].upper()]


def max_upload_size():
    return parse_size(settings.UPLOAD_MAX_SIZE)


def validate_upload_size(upload):
    limit = max_upload_size()
    if upload.size > limit:
        raise ValidationError(
            "%(name)s is %(size)s; files may be at most %(limit)s.",
            code="file_too_large",
            params={
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
        )
