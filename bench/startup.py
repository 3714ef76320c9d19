"""How long the project takes to start, against Django and gunicorn with nothing of the project.

    .venv/bin/python -m bench.startup [--repeat 5] [--quick]

- ``check``: ``manage.py check`` with production variables (DEBUG off, S3 storage), against the
  same command for an empty Django project: what the project's apps, settings and checks add.
- ``gunicorn-first-200``: from starting gunicorn (the project's gunicorn.conf.py, one worker) to
  the first 200 of the admin's login page, against gunicorn answering with a WSGI function of
  three lines.
"""

import argparse
import subprocess
import sys
import time

from bench import common
from tests.helpers.gunicorn import PROJECT_WSGI, Gunicorn

EMPTY_DJANGO_CHECK = (
    "import django; from django.conf import settings; settings.configure(); django.setup(); "
    "from django.core.management import call_command; call_command('check')"
)
# No configuration file: the project's would run its checks first.
HELLO_OPTIONS = ["--config=/dev/null", "--pythonpath=bench"]
HELLO = "hello_wsgi:application"


def timed_command(command, environ):
    start = time.perf_counter()
    subprocess.run(command, cwd=common.ROOT, env=environ, check=True, capture_output=True)
    return time.perf_counter() - start


def first_200(environ, log, application, *options, path):
    server = Gunicorn(environ, log, "--workers=1", *options, application=application)
    try:
        return server.wait_for(path, status=200)
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case, median (5)")
    args = common.parse_arguments(parser, "one run", repeat=1)
    with common.scratch_folder("startup") as folder:
        environ = common.site_environment(
            folder,
            "s3+http://KEY:SECRET@127.0.0.1:9/media",  # built, never contacted
        )
        common.prepare_site(environ)
        check = [sys.executable, "manage.py", "check"]
        empty = [sys.executable, "-c", EMPTY_DJANGO_CHECK]
        projects, empties, servers, hellos = [], [], [], []
        for _ in range(args.repeat):
            projects.append(timed_command(check, environ))
            empties.append(timed_command(empty, environ))
            servers.append(
                first_200(environ, folder / "gunicorn.log", PROJECT_WSGI, path="/admin/login/")
            )
            hellos.append(first_200(environ, folder / "hello.log", HELLO, *HELLO_OPTIONS, path="/"))
    for case, project, baseline, against in [
        ("check", projects, empties, "empty_django"),
        ("gunicorn-first-200", servers, hellos, "hello_wsgi"),
    ]:
        common.report(
            case,
            common.median(project) / common.median(baseline),
            project=common.seconds(common.median(project)),
            **{against: common.seconds(common.median(baseline))},
            runs=args.repeat,
        )


if __name__ == "__main__":
    main()
