"""`docker compose up` on a fresh clone, and nothing else, as docs/docker.md tells a newcomer.

On a copy of the checkout owned by root, then by a user whose ids are neither root's nor the
image's 1000: no variable exported and no folder made beforehand. The stack must wait for
PostgreSQL, migrate, create the admin user from .env-local and serve the admin on port 8000; an
upload through it lands in ./data/media, owned by the checkout's owner, and its link serves it.
Then Divio's CLI dumps and restores the compose database, and a second `up` finds everything in
place. The copy's folder name is the compose project's, so a developer's own stack is left alone.
"""

import json
import os
import re
import secrets
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import pytest

from tests.helpers import containers
from tests.helpers.containers import csrf_token, digest, run
from tests.helpers.prerequisites import skip_unless_ci
from tests.helpers.project import copy_checkout

pytestmark = pytest.mark.container

LOCAL = "http://127.0.0.1:8000"
PROJECT = "myapp-container-test"
# A user of the host who is neither root nor the image's own user 1000, in a group of another id.
OTHER_USER = (2345, 3456)
# The first `up` builds the image and initialises PostgreSQL before the admin answers.
FIRST_ANSWER_LIMIT = 300


@pytest.fixture(scope="module", params=["root", "another user"])
def owner(request):
    """Return the ids of whoever cloned the checkout: root, or a user who is not 1000.

    As a user other than root, the tests can only clone as yourself.
    """
    if os.geteuid() == 0:
        return (0, 0) if request.param == "root" else OTHER_USER
    if request.param == "root":
        skip_unless_ci("only root can make a checkout that belongs to root")
    return os.getuid(), os.getgid()


class Stack:
    """The compose stack of one copy of the checkout, brought up with `docker compose up`."""

    def __init__(self, checkout, owner):
        self.checkout, self.owner = checkout, owner
        self.settings = containers.env_file(checkout / ".env-local")

    def compose(self, *arguments, **kwargs):
        return run(
            ["docker", "compose", *arguments],
            cwd=self.checkout,
            env=containers.plain_environment(),
            **kwargs,
        )

    def up(self):
        self.compose("up", "--detach", timeout=900)
        try:
            containers.wait_for_http(f"{LOCAL}/admin/login/", FIRST_ANSWER_LIMIT)
        except TimeoutError as error:
            raise TimeoutError(f"{error}\n{self.logs()}") from None

    def psql(self, sql):
        """Return the rows of ``sql`` in the compose database, one string per row."""
        result = self.compose(
            "exec", "-T", "database_default", "psql", "-U", "postgres", "-d", "db", "-At", "-c", sql
        )
        return result.stdout.splitlines()

    def log_in(self):
        return containers.log_in(
            LOCAL,
            self.settings["DJANGO_SUPERUSER_USERNAME"],
            self.settings["DJANGO_SUPERUSER_PASSWORD"],
        )

    def logs(self):
        result = self.compose("logs", "--no-color", "--tail=80", check=False)
        return result.stdout + result.stderr


@pytest.fixture(scope="module")
def stack(engine, owner):
    """Run `docker compose up` on a fresh copy of the checkout that belongs to ``owner``.

    The stack serves the module's tests; then `down`, also after a failure, and the copy goes.
    """
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 8000)) == 0:
            pytest.fail("port 8000 is in use (your own `docker compose up`?): stop it first")
    folder = Path(tempfile.mkdtemp(prefix=f"{PROJECT}-"))
    checkout = folder / PROJECT
    copy_checkout(checkout)
    containers.give_to(checkout, *owner)
    stack = Stack(checkout, owner)
    try:
        stack.up()
        yield stack
    finally:
        stack.compose("down", "--volumes", "--remove-orphans", "--rmi", "local", check=False)
        shutil.rmtree(folder)


@pytest.fixture(scope="module")
def admin(stack):
    """Log in with .env-local's admin user: the browser session and the page it landed on."""
    browser, landing = stack.log_in()
    return SimpleNamespace(browser=browser, landing=landing)


@pytest.fixture(scope="module")
def upload(stack, admin):
    """Upload a file through the admin's form over HTTP, as a browser sends it."""
    # Over Django's 2.5 MB in-memory limit, so that it goes through a temporary file as well.
    content = secrets.token_bytes(3 * 1024 * 1024)
    name = "container test.pdf"
    form = admin.browser.get(f"{LOCAL}/admin/uploader/uploadedfile/add/", timeout=10)
    saved = admin.browser.post(
        form.url,
        timeout=60,
        data={"csrfmiddlewaretoken": csrf_token(form), "_save": "Save"},
        files={"file": (name, content, "application/pdf")},
    )
    added = re.search(r'href="(/admin/uploader/uploadedfile/\d+/change/)"', saved.text)
    change = admin.browser.get(LOCAL + added[1], timeout=10) if added else None
    links = set(re.findall(r'href="(/media/[^"]+)"', change.text)) if change else set()
    return SimpleNamespace(content=content, name=name, saved=saved, links=links)


@pytest.fixture(scope="module")
def stored(stack, upload):
    """Return where the upload's /media/ link says it is in ./data/media on the host."""
    (link,) = upload.links
    return stack.checkout / "data" / "media" / unquote(link.removeprefix("/media/"))


def test_the_site_is_published_on_this_machine_only(stack):
    # DEBUG on and a known password: nobody on the network may reach it unless told to.
    assert stack.compose("port", "web", "80").stdout.strip() == "127.0.0.1:8000"


def test_the_admin_user_from_env_local_logs_in(admin):
    assert admin.landing.url == f"{LOCAL}/admin/"


def test_the_admin_saves_the_upload(upload):
    assert upload.saved.url == f"{LOCAL}/admin/uploader/uploadedfile/"


def test_its_page_links_to_it_under_media(upload):
    assert len(upload.links) == 1


def test_the_upload_lands_in_data_media_with_the_same_bytes(upload, stored):
    assert digest(stored.read_bytes()) == digest(upload.content)


def test_the_upload_belongs_to_the_checkout_owner(stack, stored):
    assert (stored.stat().st_uid, stored.stat().st_gid) == stack.owner


def test_its_media_link_serves_the_same_bytes(admin, upload):
    (link,) = upload.links
    served = admin.browser.get(LOCAL + link, timeout=30)
    assert digest(served.content) == digest(upload.content)


def test_compose_run_makes_files_for_the_checkout_owner(stack):
    """The tutorial's own commands, makemigrations among them, write into the checkout."""
    migrations = stack.checkout / "uploader" / "migrations"
    command = "python manage.py makemigrations uploader --empty --name ownership_check"
    stack.compose("run", "--rm", "web", *command.split())
    (made,) = migrations.glob("*_ownership_check.py")
    owner = made.stat().st_uid, made.stat().st_gid
    made.unlink()
    assert owner == stack.owner


def test_nothing_in_the_checkout_belongs_to_anyone_else(stack, upload):
    assert containers.owned_by_others(stack.checkout, *stack.owner) == []


@pytest.fixture(scope="module")
def divio_cli(stack, upload):
    """Provide ``divio_cli(*arguments)``, which runs Divio's CLI in the checkout.

    A minimal .divio/config.json makes the checkout an application's home: an application UUID
    and slug, which only the commands that talk to Divio use. The CLI's own settings and login
    file are the tests', so that it checks for no update, reports no error to Divio and leaves
    yours alone.
    """
    home = stack.checkout / ".divio"
    home.mkdir()
    (home / "config.json").write_text(
        json.dumps({"application_uuid": "00000000-0000-4000-8000-000000000000", "slug": PROJECT})
    )
    containers.give_to(home, *stack.owner)
    settings = stack.checkout.parent / "divio-settings"
    (settings / "divio").mkdir(parents=True)
    (settings / "divio" / "config.json").write_text(
        json.dumps({"update_check_timestamp": int(time.time()), "sentry-dsn": ""})
    )
    environment = containers.plain_environment() | {
        "XDG_CONFIG_HOME": str(settings),
        "NETRC_PATH": str(settings / "netrc"),
    }
    program = Path(sys.executable).parent / "divio"

    def divio(*arguments):
        return run([program, *arguments], cwd=stack.checkout, env=environment, timeout=300)

    return divio


@pytest.fixture(scope="module")
def exported(stack, divio_cli):
    """Run `divio app export db`: the dump it writes, and the uploader's rows it was made from."""
    rows = stack.psql("SELECT id, name FROM uploader_uploadedfile ORDER BY id")
    if not rows:
        raise RuntimeError("the uploader has no rows to export: the upload failed")
    divio_cli("app", "export", "db")
    return SimpleNamespace(rows=rows, dump=(stack.checkout / "local_db.sql").read_text())


@pytest.fixture(scope="module")
def imported(stack, divio_cli, exported):
    """Run `divio app import db` of that dump, the uploader's table emptied: the rows after it.

    `web` is stopped first, as docs/docker.md says: the import drops the database, which
    PostgreSQL refuses while the development server holds a connection to it.
    """
    stack.psql("TRUNCATE uploader_uploadedfile")
    if stack.psql("SELECT count(*) FROM uploader_uploadedfile") != ["0"]:
        raise RuntimeError("the uploader's table could not be emptied before the import")
    stack.compose("stop", "web", timeout=300)
    divio_cli("app", "import", "db")
    return SimpleNamespace(
        rows=stack.psql("SELECT id, name FROM uploader_uploadedfile ORDER BY id")
    )


def table_rows(dump, table):
    """Return the data lines of ``table`` in a plain pg_dump (between COPY and ``\\.``)."""
    copied = re.search(rf"^COPY public\.{table} .*? FROM stdin;\n(.*?)^\\\.$", dump, re.M | re.S)
    return copied[1].splitlines() if copied else []


def test_divio_export_db_dumps_the_uploaders_row(upload, exported):
    rows = table_rows(exported.dump, "uploader_uploadedfile")
    assert [row for row in rows if upload.name in row.split("\t")] != []


def test_divio_import_db_restores_the_uploaders_rows(exported, imported):
    assert imported.rows == exported.rows


@pytest.fixture(scope="module")
def restarted(stack, imported):
    """Stop the stack and bring it up again, as after Ctrl-C; log in again.

    The database and the admin user are already there this time.
    """
    stack.compose("stop", timeout=300)
    stack.up()
    browser, landing = stack.log_in()
    return SimpleNamespace(browser=browser, landing=landing)


def test_a_second_up_lets_the_admin_log_in(restarted):
    assert restarted.landing.url == f"{LOCAL}/admin/"


def test_a_second_up_still_lists_the_upload(restarted, upload):
    listing = restarted.browser.get(f"{LOCAL}/admin/uploader/uploadedfile/", timeout=10)
    assert upload.name in listing.text
