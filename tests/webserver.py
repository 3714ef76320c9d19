"""The project served by gunicorn in a process of its own, as the Docker image serves it: DEBUG
off, its gunicorn.conf.py, the variables a platform sets."""

import os
import signal
import subprocess
import sys
import time

import requests

from tests import s3server
from tests.support import ROOT


def production_environment(**variables):
    """What a production container has: no DEBUG, the variables given, no AWS set-up of the
    developer's. The admin renders from the static files the tests collected, as the image's
    build collects them (a checkout has none)."""
    environ = {"PATH": os.environ["PATH"], "SECRET_KEY": "s" * 50, "WEB_CONCURRENCY": "1"}
    s3server.isolate_from_aws_configuration(environ)
    environ["DJANGO_SETTINGS_MODULE"] = "tests.webserver_settings"
    return {**environ, **variables}


class Gunicorn:
    """``gunicorn myapp.wsgi`` on 127.0.0.1, its output in ``log``."""

    def __init__(self, log, **environment):
        self.port = s3server.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", f"--bind=127.0.0.1:{self.port}", "myapp.wsgi"],
                cwd=ROOT,
                env=production_environment(**environment),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self._wait_for_an_answer()

    def _wait_for_an_answer(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()}")
            try:
                requests.get(f"{self.url}/healthz", timeout=5)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.log.read_text()}")

    def stop(self):
        # Quick shutdown: a graceful one waits for idle keep-alive connections to close.
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
