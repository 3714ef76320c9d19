"""Container engines, copies of the checkout and HTTP helpers for the container tests.

tests/containers type `docker` and `docker compose` as a user does, against whichever engine
answers: a Docker engine (the one DOCKER_HOST names, or Docker's own socket), else podman as root,
whose Docker API `podman system service` serves on a socket of the tests' own. Where no registry
can be reached, stand-ins for the base images come from containers/standins/build.sh: .ci/run
builds them into the Docker engine it starts, the podman path into podman.
"""

import functools
import hashlib
import os
import re
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests

from tests.helpers.project import ROOT

CONTAINERS = ROOT / "containers"


class CommandFailed(Exception):
    """A command exited with a status other than 0."""


def run(command, *, check=True, timeout=600, **kwargs):
    """Run ``command`` with no input and its output captured; return the CompletedProcess (text).

    With ``check``, a non-zero exit raises CommandFailed naming the command, with the end of its
    output. Secrets belong in the environment, never in ``command``, which a failure shows.
    """
    command = [str(part) for part in command]
    result = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )
    if check and result.returncode:
        output = (result.stdout + result.stderr)[-3000:]
        raise CommandFailed(f"`{' '.join(command)}` exited with {result.returncode}\n{output}")
    return result


def plain_environment():
    """Return the environment of a shell that exports no variable for the project.

    Only where the programs are, the home folder, and the engine's address and build setting if
    set.
    """
    names = ("PATH", "HOME", "DOCKER_HOST", "DOCKER_BUILDKIT")
    return {name: os.environ[name] for name in names if name in os.environ}


@dataclass(frozen=True)
class Engine:
    """The engine the tests run on: ``name`` says which, for the report's header."""

    name: str
    podman: bool


def output_of(command):
    """Return the output of ``command``, or None if it fails or is not installed."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


@functools.cache
def find_engine():
    """Return ``(Engine, None)`` for the engine to use, or ``(None, why none can be used)``."""
    if output_of(["docker", "compose", "version"]) is None:
        return None, "`docker compose` does not run: install the docker CLI and Compose v2"
    version = output_of(["docker", "version", "--format", "{{.Server.Version}}"])
    if version:
        where = os.environ.get("DOCKER_HOST", "its default socket")
        return Engine(f"Docker {version} at {where}", podman=False), None
    version = output_of(["podman", "version", "--format", "{{.Client.Version}}"])
    if version and os.geteuid() == 0 and shutil.which("debootstrap"):
        return Engine(f"podman {version} (no Docker engine answers)", podman=True), None
    return None, (
        "no Docker engine answers `docker version`. Start Docker, or run this as root on Debian "
        "with podman and debootstrap: the packages .ci/run installs when dockerd cannot start"
    )


@contextmanager
def podman_as_docker(folder):
    """Serve podman's Docker API on a socket in ``folder`` and point DOCKER_HOST at it.

    The stand-in images are built first, and the service runs until the block ends.

    podman takes its settings from containers/podman/containers.conf, and builds with Docker's
    classic builder API (it has no BuildKit).
    """
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("CONTAINERS_CONF", str(CONTAINERS / "podman" / "containers.conf"))
        environment.setenv("DOCKER_BUILDKIT", "0")
        run(["bash", CONTAINERS / "standins" / "build.sh", "podman"], timeout=900)
        socket = folder / "podman.sock"
        service = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{socket}"])
        try:
            deadline = time.monotonic() + 30
            while not socket.exists():
                if service.poll() is not None or time.monotonic() > deadline:
                    raise CommandFailed("podman system service did not start")
                time.sleep(0.2)
            environment.setenv("DOCKER_HOST", f"unix://{socket}")
            yield
        finally:
            service.terminate()
            service.wait(timeout=30)


def give_to(folder, uid, gid):
    """Make ``folder`` and everything in it belong to ``uid``:``gid``, as a clone by that user."""
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, uid, gid, follow_symlinks=False)


def owned_by_others(folder, uid, gid):
    """Return the paths under ``folder``, relative to it, that are not ``uid``:``gid``'s."""
    return sorted(
        str(path.relative_to(folder))
        for path in [folder, *folder.rglob("*")]
        if (path.lstat().st_uid, path.lstat().st_gid) != (uid, gid)
    )


def env_file(path):
    """Return the variables of a compose env file such as .env-local."""
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def digest(data):
    """Return the SHA-256 of ``data``: compared instead of bytes, a failure stays short."""
    return hashlib.sha256(data).hexdigest()


def wait_for_http(url, limit, **kwargs):
    """Return the first HTTP answer from ``url``, whatever its status, within ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while True:
        try:
            return requests.get(url, timeout=2, allow_redirects=False, **kwargs)
        except (requests.ConnectionError, requests.Timeout):
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing answered at {url} within {limit} s") from None
            time.sleep(0.25)


def csrf_token(page):
    """Return the CSRF token of the form on ``page`` (a requests response)."""
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not match:
        raise ValueError(f"no CSRF token in {page.url} ({page.status_code})")
    return match[1]


def log_in(base, username, password):
    """Log in to the admin at ``base`` as a browser does.

    Returns the session and the page the login lands on: the admin's index once it worked.
    """
    browser = requests.Session()
    page = browser.get(f"{base}/admin/login/", timeout=10)
    landing = browser.post(
        page.url,
        timeout=10,
        data={
            "csrfmiddlewaretoken": csrf_token(page),
            "username": username,
            "password": password,
            "next": "/admin/",
        },
    )
    return browser, landing
