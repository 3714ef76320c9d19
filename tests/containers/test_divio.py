"""The image alone, as Divio builds and runs it (README, "Divio deployment checklist").

Built with no environment and no services; started with Divio's variables and DEBUG off;
`python manage.py migrate` as the release command; the image's own CMD on port 80, which must
answer within Divio's 20 s health check, behind a TLS-terminating proxy, and must not cut off a
request that outlasts gunicorn's worker timeout (a large upload on a slow line).
"""

import http.client
import os
import re
import secrets
import time
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
import requests

from tests.helpers import containers
from tests.helpers.containers import csrf_token, run
from tests.helpers.ports import free_port
from tests.helpers.project import ROOT

pytestmark = pytest.mark.container

NAME = "myapp-container-test-divio"
IMAGE = f"localhost/{NAME}"
DATABASE_IMAGE = "postgres:17"
# Divio's deploy health check gives a new container this long to answer on port 80.
DIVIO_START_LIMIT = 20
DIVIO_DOMAIN = "app.example.com"
# What Divio's proxy adds to a request it received over HTTPS.
PROXY = {"Host": DIVIO_DOMAIN, "X-Forwarded-Proto": "https"}
# The worker timeout for the slow-request check, short so that the check is.
SLOW_TIMEOUT = 2
# A storage DSN of Divio's form. Nothing is uploaded to it: these tests check that the app starts
# and answers with it, not the bucket.
DIVIO_STORAGE_DSN = "s3://KEY:SECRET@media.s3-eu-central-1.amazonaws.com/?auth=s3v4&domain=media"


class Divio:
    """Containers on a network of their own, with Divio's variables.

    Values reach `docker run` through the environment (``--env NAME``), so that no secret shows
    in a command line.
    """

    def __init__(self):
        self.password = secrets.token_urlsafe(16)
        self.variables = {
            "DATABASE_URL": f"postgres://divio:{self.password}@{NAME}-database:5432/app",
            "DEFAULT_STORAGE_DSN": DIVIO_STORAGE_DSN,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DOMAIN": DIVIO_DOMAIN,
            "STAGE": "test",
        }
        settings = containers.env_file(ROOT / ".env-local")
        self.admin = {name: value for name, value in settings.items() if "SUPERUSER" in name}
        self.environment = (
            os.environ | self.variables | self.admin | {"POSTGRES_PASSWORD": self.password}
        )
        self.started = []

    def run(self, *arguments, names=None, **kwargs):
        """Run `docker run` on the network with the variables ``names`` (Divio's by default)."""
        names = list(self.variables) if names is None else names
        options = [option for name in names for option in ("--env", name)]
        return run(
            ["docker", "run", "--network", NAME, *options, *arguments],
            env=self.environment,
            **kwargs,
        )

    def once(self, name, *arguments, **kwargs):
        """Run a container named ``name`` to its end; it is removed with the others.

        Not with ``--rm``: podman's Docker API then reports every exit status as 0.
        """
        self.started.append(name)
        return self.run("--name", name, *arguments, **kwargs)

    def start(self, name, *arguments, **kwargs):
        """Start a detached container named ``name``, removed at the end."""
        self.started.append(name)
        return self.run("--detach", "--name", name, *arguments, **kwargs)

    def logs(self):
        shown = []
        for name in self.started:
            result = run(["docker", "logs", "--tail=60", name], check=False)
            shown.append(f"--- {name}\n{result.stdout}{result.stderr}")
        return "\n".join(shown)


@pytest.fixture(scope="module")
def divio(engine):
    """Build the image from the checkout with no environment; start a database beside it.

    Everything is removed at the end, also after a failure.
    """
    divio = Divio()
    try:
        run(["docker", "build", "--tag", IMAGE, ROOT])
        run(["docker", "network", "create", NAME])
        database = f"{NAME}-database"
        divio.start(
            database,
            "--env", "POSTGRES_USER=divio", "--env", "POSTGRES_DB=app", DATABASE_IMAGE,
            names=["POSTGRES_PASSWORD"],
        )  # fmt: skip
        deadline = time.monotonic() + 60
        ready = ["docker", "exec", database, "pg_isready", "--host=127.0.0.1", "--quiet"]
        while run(ready, check=False).returncode:
            if time.monotonic() > deadline:
                raise TimeoutError("the database did not come up within 60 s")
            time.sleep(1)
        yield divio
    finally:
        for name in divio.started:
            run(["docker", "rm", "--force", "--volumes", name], check=False)
        run(["docker", "network", "rm", NAME], check=False)
        run(["docker", "rmi", IMAGE], check=False)


@pytest.fixture(scope="module")
def start_without_secret_key(divio):
    """Start the image's CMD with every variable of Divio's but SECRET_KEY.

    Its output comes with the database password replaced, so that no failure report shows it.
    """
    names = [name for name in divio.variables if name != "SECRET_KEY"]
    result = divio.once(f"{NAME}-no-secret-key", IMAGE, names=names, check=False, timeout=120)
    output = result.stdout + result.stderr
    return SimpleNamespace(
        returncode=result.returncode,
        output=output.replace(divio.password, "<password>"),
        shows_password=divio.password in output,
    )


def test_a_start_without_secret_key_fails(start_without_secret_key):
    assert start_without_secret_key.returncode != 0


def test_a_start_without_secret_key_names_it(start_without_secret_key):
    assert "(myapp.E001) SECRET_KEY is not set" in start_without_secret_key.output


def test_a_start_without_secret_key_prints_no_secret(start_without_secret_key):
    assert not start_without_secret_key.shows_password


@pytest.fixture(scope="module")
def release(divio):
    """Run Divio's release command, then create the admin user that the proxy tests log in as."""
    manage = [IMAGE, "python", "manage.py"]
    migrated = divio.once(f"{NAME}-release", *manage, "migrate", check=False, timeout=300)
    divio.once(
        f"{NAME}-admin", *manage, "createsuperuser", "--no-input",
        names=[*divio.variables, *divio.admin], timeout=300,
    )  # fmt: skip
    return migrated


def test_the_release_command_migrates(release):
    assert release.returncode == 0


@pytest.fixture(scope="module")
def web(divio, release):
    """Start the image's own CMD on a free port: its address, first answer and time to it."""
    port = free_port()
    started = time.monotonic()
    divio.start(f"{NAME}-web", "--publish", f"127.0.0.1:{port}:80", IMAGE)
    base = f"http://127.0.0.1:{port}"
    first = containers.wait_for_http(f"{base}/admin/login/", 60, headers={"Host": DIVIO_DOMAIN})
    return SimpleNamespace(
        name=f"{NAME}-web", base=base, first=first, seconds=time.monotonic() - started
    )


def test_the_image_answers_within_divios_health_check(web):
    assert web.seconds < DIVIO_START_LIMIT


def test_plain_http_is_redirected_to_https(web):
    answer = (web.first.status_code, web.first.headers.get("Location"))
    assert answer == (301, f"https://{DIVIO_DOMAIN}/admin/login/")


def through_proxy(web, path, cookie=""):
    """GET ``path`` as Divio's proxy forwards a browser's HTTPS request.

    Secure cookies go by hand: requests keeps them for https:// URLs only.
    """
    headers = PROXY | {"Cookie": cookie}
    return requests.get(web.base + path, headers=headers, allow_redirects=False, timeout=10)


@pytest.fixture(scope="module")
def login_page(web):
    return through_proxy(web, "/admin/login/")


@pytest.fixture(scope="module")
def logged_in(web, login_page, divio):
    """Post the admin's login form through the proxy, with the browser's Origin."""
    return requests.post(
        web.base + "/admin/login/",
        allow_redirects=False,
        timeout=10,
        headers=PROXY
        | {
            "Origin": f"https://{DIVIO_DOMAIN}",
            "Cookie": f"csrftoken={login_page.cookies['csrftoken']}",
        },
        data={
            "csrfmiddlewaretoken": csrf_token(login_page),
            "username": divio.admin["DJANGO_SUPERUSER_USERNAME"],
            "password": divio.admin["DJANGO_SUPERUSER_PASSWORD"],
            "next": "/admin/",
        },
    )


@pytest.fixture(scope="module")
def session_cookie(logged_in):
    return next(cookie for cookie in logged_in.cookies if cookie.name == "sessionid")


def test_the_login_page_answers_through_the_proxy(login_page):
    assert login_page.status_code == 200


def test_the_login_page_sends_hsts(login_page):
    assert "Strict-Transport-Security" in login_page.headers


def test_logging_in_passes_the_csrf_origin_check(logged_in):
    assert (logged_in.status_code, logged_in.headers.get("Location")) == (302, "/admin/")


def test_the_session_cookie_is_secure(session_cookie):
    assert session_cookie.secure


def test_the_admin_index_opens(web, session_cookie):
    index = through_proxy(web, "/admin/", cookie=f"sessionid={session_cookie.value}")
    assert "Log out" in index.text


@pytest.fixture(scope="module")
def stylesheet(login_page):
    """Return the admin stylesheet's hashed name, as the login page links it."""
    linked = re.search(r'href="/static/(admin/css/base\.[0-9a-f]{12}\.css)"', login_page.text)
    return linked[1] if linked else None


def test_the_login_page_links_a_static_file_by_its_hashed_name(stylesheet):
    assert stylesheet is not None


def test_whitenoise_serves_the_collected_file(web, stylesheet):
    served = through_proxy(web, f"/static/{stylesheet}")
    collected = run(["docker", "exec", web.name, "cat", f"/app/staticfiles/{stylesheet}"])
    assert served.text == collected.stdout


def test_whitenoise_has_it_cached_for_good(web, stylesheet):
    served = through_proxy(web, f"/static/{stylesheet}")
    assert "immutable" in served.headers.get("Cache-Control", "")


@pytest.fixture(scope="module")
def missing_page(web):
    return through_proxy(web, "/no-such-page/")


def test_an_unknown_page_is_a_404(missing_page):
    assert missing_page.status_code == 404


def test_an_unknown_page_is_not_djangos_debug_page(missing_page):
    assert "DEBUG = True" not in missing_page.text


def test_the_server_runs_as_the_images_unprivileged_user(web):
    assert run(["docker", "exec", web.name, "id", "-u"]).stdout.strip() == "1000"


def test_gunicorn_runs_with_gunicorn_conf_py(web):
    logs = run(["docker", "logs", web.name])
    assert "Using worker: gthread" in logs.stdout + logs.stderr


@pytest.fixture(scope="module")
def slow_login(divio, release):
    """Trickle a login form in for three times the worker timeout, as a slow upload does.

    The timeout is lowered through gunicorn's own variable. Returns the answer's status, or how
    the connection was cut, and how long the request took.
    """
    port = free_port()
    divio.start(
        f"{NAME}-slow", "--publish", f"127.0.0.1:{port}:80",
        "--env", f"GUNICORN_CMD_ARGS=--timeout={SLOW_TIMEOUT}", IMAGE,
    )  # fmt: skip
    base = f"127.0.0.1:{port}"
    containers.wait_for_http(f"http://{base}/admin/login/", 60)
    seconds = 3 * SLOW_TIMEOUT
    login = requests.get(f"http://{base}/admin/login/", headers=PROXY, timeout=10)
    body = urlencode(
        {
            "csrfmiddlewaretoken": csrf_token(login),
            "username": divio.admin["DJANGO_SUPERUSER_USERNAME"],
            "password": divio.admin["DJANGO_SUPERUSER_PASSWORD"],
            "next": "/admin/",
            "padding": "x" * seconds * 1000,
        }
    ).encode()
    connection = http.client.HTTPConnection(base, timeout=seconds + 30)
    connection.putrequest("POST", "/admin/login/", skip_host=True)
    headers = PROXY | {
        "Origin": f"https://{DIVIO_DOMAIN}",
        "Cookie": f"csrftoken={login.cookies['csrftoken']}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body)),
    }
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    started = time.monotonic()
    try:
        for chunk in range(0, len(body), 1000):
            connection.send(body[chunk : chunk + 1000])
            time.sleep(seconds * 1000 / len(body))
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException) as error:
        status = f"the connection was cut ({error})"
    finally:
        connection.close()
    return SimpleNamespace(status=status, seconds=time.monotonic() - started)


def test_a_request_longer_than_the_worker_timeout_goes_through(slow_login):
    """gunicorn's default sync worker would be killed half-way (a 500); gunicorn.conf.py's
    threaded one must answer."""
    assert slow_login.status == 302


def test_that_request_did_outlast_the_worker_timeout(slow_login):
    assert slow_login.seconds > 2 * SLOW_TIMEOUT
