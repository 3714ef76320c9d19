"""The parts in which a direct upload goes up: never too small, never more than a store takes."""

import pytest

from myapp.storage.direct import part_count, part_size

MiB = 1024 * 1024
GiB = 1024 * MiB


@pytest.mark.parametrize(
    ("size", "expected_size", "expected_count"),
    [
        (0, 8 * MiB, 1),  # an empty file is one empty part
        (1, 8 * MiB, 1),
        (20 * MiB, 8 * MiB, 3),  # boto3's part size, above S3's 5 MiB minimum
        (GiB, 8 * MiB, 128),
        (80 * GiB, 9 * MiB, 9103),  # S3 takes at most 10,000 parts
        (1000 * GiB, 103 * MiB, 9942),
    ],
)
def test_a_file_goes_up_in_parts_of_the_size_its_size_calls_for(
    size, expected_size, expected_count
):
    assert (part_size(size), part_count(size)) == (expected_size, expected_count)


@pytest.mark.parametrize("size", [5 * GiB + 1, 80 * GiB + 1, 5 * 1024 * GiB])
def test_no_file_needs_more_parts_than_s3_takes(size):
    assert part_count(size) <= 10_000
    assert part_size(size) * part_count(size) >= size
