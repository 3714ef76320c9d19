"""What a test needs installed: skipped without it locally, a failure in CI."""

import os

import pytest

IN_CI = os.environ.get("CI") == "true"


def skip_unless_ci(reason):
    """Skip the test for a missing prerequisite; in CI (CI=true), fail it instead."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)
