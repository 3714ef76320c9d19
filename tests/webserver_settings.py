"""The project's settings with the static files the tests collected (TEST_STATIC_ROOT): the
Docker image collects them at build time, a fresh checkout has none."""

import os

from myapp.settings import *  # noqa: F403

STATIC_ROOT = os.environ["TEST_STATIC_ROOT"]
