"""UPLOAD_MAX_SIZE: bytes, or a number with K, M or G."""

import pytest

from uploader.validators import parse_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1048576", 1048576),
        ("64K", 64 * 1024),
        ("500M", 500 * 1024**2),
        ("500m", 500 * 1024**2),
        (" 2G ", 2 * 1024**3),
        ("100 M", 100 * 1024**2),
    ],
)
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "0", "0M", "-1", "1.5G", "500MB", "500T", "lots", "M"])
def test_anything_else_is_refused_with_the_forms_it_takes(text):
    with pytest.raises(ValueError, match=r"is not a size: give bytes, or a number with K, M or G"):
        parse_size(text)
