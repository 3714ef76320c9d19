"""`python manage.py` alone, as every Django tutorial starts: on a fresh clone, with DEBUG on."""

import subprocess
import sys
import time

import requests

from tests.helpers.ports import free_port
from tests.helpers.project import copy_project, manage

LOCAL = {"DJANGO_DEBUG": "True"}
ADMIN = {
    "DJANGO_SUPERUSER_USERNAME": "admin",
    "DJANGO_SUPERUSER_PASSWORD": "a-long-local-password",
    "DJANGO_SUPERUSER_EMAIL": "admin@example.com",
}


def test_migrate_createsuperuser_and_runserver_work_on_a_fresh_clone(tmp_path):
    checkout = copy_project(tmp_path)
    assert not (checkout / "data").exists()

    migrated = manage("migrate", "--no-input", cwd=checkout, **LOCAL)
    created = manage("createsuperuser", "--no-input", cwd=checkout, **LOCAL, **ADMIN)

    assert migrated.returncode == 0, migrated.stderr
    assert (checkout / "data" / "db.sqlite3").is_file()
    assert created.returncode == 0, created.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=checkout,
        env={"PATH": "/usr/bin:/bin", **LOCAL},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        login = wait_for(f"http://127.0.0.1:{port}/admin/login/")
        session = requests.Session()
        session.get(login.url, timeout=10)
        admin = session.post(
            login.url,
            data={
                "username": ADMIN["DJANGO_SUPERUSER_USERNAME"],
                "password": ADMIN["DJANGO_SUPERUSER_PASSWORD"],
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
                "next": "/admin/",
            },
            timeout=10,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert login.status_code == 200
    assert admin.url == f"http://127.0.0.1:{port}/admin/"


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=5)
        except (TimeoutError, requests.ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
