"""What the benchmarks share: the project run as in production, memory and CPU time, the report.

Each benchmark measures the project against a baseline in the same run, on the same machine: the
ratio it prints carries over to another machine, which the times do not.
"""

import contextlib
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.helpers import s3
from tests.helpers.files import MiB, sha256
from tests.helpers.project import ROOT

ADMIN_USER, ADMIN_PASSWORD = "bench", "bench-password"


def mebibytes(text):
    """``1G``, ``256M`` or ``64`` (MiB) for ``--size``: a whole number of MiB, in bytes."""
    match = re.fullmatch(r"(\d+)([MG]?)(?:i?B)?", text.strip(), re.IGNORECASE)
    if not match:
        raise ValueError(f"{text!r} is not a size in MiB such as 1G or 256M")
    return int(match[1]) * (1024 if match[2].upper() == "G" else 1) * MiB


def machine():
    """Return the line that says where the figures come from, for the benchmark docs."""
    release = Path("/etc/debian_version")
    system = f"Debian {release.read_text().strip()}" if release.exists() else platform.platform()
    return (
        f"# machine: {os.cpu_count()} cores, {system}, Python {platform.python_version()}, "
        f"Linux {platform.release()}"
    )


def parse_arguments(parser, quick, **small):
    """Parse the command line, with ``--quick`` (``quick`` is its help) setting ``small``'s
    values; print the machine line first, as every benchmark's output starts."""
    parser.add_argument("--quick", action="store_true", help=quick)
    args = parser.parse_args()
    if args.quick:
        vars(args).update(small)
    print(machine(), flush=True)
    return args


def report(case, ratio, target=None, **details):
    """``CASE ratio=R [target=T met|MISSED] key=value...``: the line the README's table quotes."""
    verdict = f" target={target} {'met' if ratio <= target else 'MISSED'}" if target else ""
    rest = " ".join(f"{key}={value}" for key, value in details.items())
    print(f"{case} ratio={ratio:.2f}{verdict} {rest}", flush=True)


def boto3_upload_seconds(client, path, bucket):
    """Return the seconds boto3's ``upload_file`` takes to store the file; then delete it."""
    started = time.perf_counter()
    client.upload_file(str(path), bucket, "direct.bin")
    elapsed = time.perf_counter() - started
    client.delete_object(Bucket=bucket, Key="direct.bin")
    return elapsed


def check_and_delete(client, bucket, expected, prefix=""):
    """Check that the one object under ``prefix`` has the SHA-256 ``expected``; then delete it."""
    listed = client.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
    (key,) = [item["Key"] for item in listed]
    if sha256(client.get_object(Bucket=bucket, Key=key)["Body"].iter_chunks(MiB)) != expected:
        raise RuntimeError(f"s3://{bucket}/{key} does not hold the uploaded bytes")
    client.delete_object(Bucket=bucket, Key=key)


def median(values):
    return statistics.median(values)


def seconds(value):
    return f"{value:.3f}s"


@contextlib.contextmanager
def scratch_folder(name):
    """Yield a folder in the checkout's data/ (never committed), removed afterwards.

    It is on the disk the project's own files are on, not in a /tmp that may be in memory.
    """
    (ROOT / "data").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-", dir=ROOT / "data") as folder:
        yield Path(folder)


def site_environment(folder, storage_dsn, **variables):
    """Return the variables of a production run (DEBUG off) with its database in ``folder``.

    SQLite, served over plain HTTP on 127.0.0.1; a developer's own AWS set-up is kept out.
    """
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DJANGO_DEBUG", "DATABASE_URL", "DEFAULT_STORAGE_DSN"}
    }
    s3.isolate_from_aws_configuration(environ)
    environ.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        DEFAULT_STORAGE_DSN=storage_dsn,
        DOMAIN="127.0.0.1",
        SECURE_SSL_REDIRECT="False",
        DJANGO_SUPERUSER_USERNAME=ADMIN_USER,
        DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
        DJANGO_SUPERUSER_EMAIL="bench@example.com",
        **variables,
    )
    return environ


def manage(environ, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare_static_files(environ):
    """Collect the static files, which the Docker image collects when it is built.

    DEBUG off renders the admin from them; a checkout has none (staticfiles/ is never committed).
    """
    manage(environ, "collectstatic", "--no-input")


def prepare_site(environ):
    """Static files, the database's tables and the admin user."""
    prepare_static_files(environ)
    manage(environ, "migrate", "--no-input")
    manage(environ, "createsuperuser", "--no-input")


class PeakMemory:
    """How far a process's resident memory rose above its level at the start of the block.

    The kernel's own peak (VmHWM), reset to the current level on entering, misses nothing.
    """

    def __init__(self, pid):
        self.pid = pid

    def _status(self, field):
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)[1]) * 1024

    def __enter__(self):
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # VmHWM = VmRSS
        self.baseline = self._status("VmRSS")
        return self

    def __exit__(self, *exc_info):
        self.growth = self._status("VmHWM") - self.baseline


def cpu_seconds(pid):
    """User and system CPU time a process has used so far, all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mib(value):
    return f"{value / MiB:+.0f}MiB"


S3_SERVERS = ("seaweedfs", "moto")


def add_s3_server_argument(parser):
    parser.add_argument(
        "--s3",
        choices=S3_SERVERS,
        default="seaweedfs",
        help="the S3 server: SeaweedFS, which stores as AWS does (default), or moto",
    )


def start_s3_server(name, folder):
    """Start the S3 server ``name`` on loopback, its data in ``folder``; return it."""
    from tests.helpers import s3
    from tests.helpers.ports import free_port
    from tests.helpers.seaweedfs import SeaweedFSServer

    if name == "moto":
        return s3.MotoServer(free_port())
    return SeaweedFSServer(folder / "seaweedfs")


@contextlib.contextmanager
def s3_site(name, folder, **variables):
    """Run the S3 server ``name`` with a bucket for a site in ``folder``, its database made; yield
    the server's client, the bucket's name and the site's environment (with ``variables``). A
    failure prints the end of the server's log."""
    server = start_s3_server(name, folder)
    try:
        client, bucket = server.client(), "bench"
        client.create_bucket(Bucket=bucket)
        environ = site_environment(folder, server.dsn(bucket), **variables)
        prepare_site(environ)
        yield client, bucket, environ
    except Exception:
        print_server_log_tail(server)
        raise
    finally:
        server.stop()


def print_server_log_tail(server, lines=40):
    """Print the end of a server's log, to say why a case failed."""
    server.log.seek(0)
    tail = server.log.read().decode(errors="replace").splitlines()[-lines:]
    print(f"# the end of {server.name}'s log:", *tail, sep="\n", file=sys.stderr)
