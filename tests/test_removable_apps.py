"""Every capability beyond the tutorial is an app a copier deletes: its folder, its tests and the
lines of myapp/settings.py and myapp/urls.py that name it. What remains checks, migrates an empty
database and passes the rest of its suite, admin uploads through the server included.

Each case copies the checkout and runs the remaining suite in it: minutes, so `make
test-removal` runs these (-m removal), as CI does.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.helpers.project import APPS, ROOT, copy_checkout

pytestmark = pytest.mark.removal
# The project and the tutorial's app: what every other app plugs into.
CORE = {"myapp", "uploader"}
NAMING_FILES = ["myapp/settings.py", "myapp/urls.py"]


def remove_app(checkout, app):
    """Delete ``app`` from ``checkout`` as the README says: its folder, its tests, its lines."""
    shutil.rmtree(checkout / app)
    shutil.rmtree(checkout / "tests" / app, ignore_errors=True)
    naming = re.compile(rf"\b{app}\b")
    for name in NAMING_FILES:
        path = checkout / name
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(line for line in lines if not naming.search(line)))


def run(command, checkout, **variables):
    # The remaining suite on SQLite, as a fresh clone's `make test` runs it.
    environ = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, *command],
        cwd=checkout,
        env={**environ, **variables},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert result.returncode == 0, f"{command}:\n{(result.stdout + result.stderr)[-4000:]}"
    return result.stdout


@pytest.mark.parametrize("app", sorted(set(APPS) - CORE))
def test_an_app_deleted_leaves_a_project_that_works(app, tmp_path):
    checkout = tmp_path / "checkout"
    copy_checkout(checkout)
    # What `make test` installs with npm (axe-core for the browser tests), shared, not copied.
    if (ROOT / "node_modules").is_dir():
        (checkout / "node_modules").symlink_to(ROOT / "node_modules")
    remove_app(checkout, app)
    assert not re.search(rf"\b{app}\b", "".join((checkout / n).read_text() for n in NAMING_FILES))

    run(["manage.py", "check"], checkout, DJANGO_DEBUG="True")
    run(["manage.py", "makemigrations", "--check", "--dry-run"], checkout, DJANGO_DEBUG="True")
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    run(["manage.py", "migrate", "--no-input"], checkout, DJANGO_DEBUG="True", DATABASE_URL=empty)
    # The uploader's tests among them: uploads through the server, on file storage and S3.
    output = run(["-m", "pytest", "-q", "-p", "no:cacheprovider"], checkout)
    assert " passed" in output.splitlines()[-1]
