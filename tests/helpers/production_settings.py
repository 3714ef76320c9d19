"""The project's settings for a server the tests start (tests/helpers/gunicorn.py).

The static files come from TEST_STATIC_ROOT, where the tests collected them (the Docker image
collects them at build time, a checkout has none), and passwords are hashed the tests' fast way,
so that the server accepts the users the tests create.
"""

import os

from myapp.settings import *  # noqa: F403

STATIC_ROOT = os.environ["TEST_STATIC_ROOT"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
