"""The project served by gunicorn in a process of its own, as the Docker image serves it."""

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import s3
from tests.helpers.ports import free_port
from tests.helpers.project import ROOT

PROJECT_WSGI = "myapp.wsgi"


def production_environment(**variables):
    """Return what a production container has: no DEBUG, the variables given, no AWS set-up.

    The admin renders from the static files the tests collected (TEST_STATIC_ROOT), as the
    image's build collects them; a checkout has none.
    """
    environ = {"PATH": os.environ["PATH"], "SECRET_KEY": "s" * 50, "WEB_CONCURRENCY": "1"}
    s3.isolate_from_aws_configuration(environ)
    environ["DJANGO_SETTINGS_MODULE"] = "tests.helpers.production_settings"
    return {**environ, **variables}


class Gunicorn:
    """``gunicorn APPLICATION`` on a free port of 127.0.0.1 with ``environ``, its output in ``log``.

    Without ``arguments`` saying otherwise, it reads the project's gunicorn.conf.py, as in the
    Docker image.
    """

    def __init__(self, environ, log, *arguments, application=PROJECT_WSGI):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log)
        self.started = time.perf_counter()
        command = [sys.executable, "-m", "gunicorn", f"--bind=127.0.0.1:{self.port}", *arguments]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [*command, application],
                cwd=ROOT,
                env=environ,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def wait_for(self, path="/healthz", status=None, timeout=60):
        """Wait for an answer to ``path``, with ``status`` if given.

        Return the seconds since gunicorn was started.
        """
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", path, headers={"Host": "127.0.0.1"})
                if status in (None, connection.getresponse().status):
                    return time.perf_counter() - self.started
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.01)
        self.stop()
        log = self.log.read_text()
        raise RuntimeError(f"gunicorn did not answer {path} in {timeout} s:\n{log}")

    def worker_pid(self):
        """Return the process id of the only worker."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        (pid,) = children.read_text().split()
        return int(pid)

    def stop(self):
        """Stop at once: a graceful shutdown waits for idle keep-alive connections to close."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
