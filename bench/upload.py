"""An admin upload through gunicorn, against the fastest way to put the same file in the same place,
and against the project with each piece of its upload tuning removed.

    .venv/bin/python -m bench.upload [--size 1G] [--repeat 3] [--quick] [--cases file s3 threads]
                                     [--variants VARIANT ...] [--untuned] [--s3 moto]

- ``upload-file``: the admin's add form posted by curl (a streaming client, as a browser is) to
  gunicorn with file storage, against ``cp`` of the same file on the same disk. ``http_floor``
  is the same post to a server that only writes the body to a file on that disk, as fast as a
  socket can be read: the least time any upload over HTTP takes here. ``client_cpu`` is the CPU
  time curl took to send the file.
- ``upload-s3``: the same with S3 storage on a SeaweedFS server on loopback (``--s3 moto``: moto),
  against a direct boto3 upload (``upload_file``) of the same file to the same server.
- ``upload-file-VARIANT``, ``upload-s3-VARIANT``: the same upload to the project with one piece
  of its tuning removed, its ratio to the project as it is, measured in turn with it in each
  run: ``without-allocator`` (no GLIBC_TUNABLES), ``without-large-reads`` (Django's 64 KiB
  reads), ``without-rename`` (files received into the system's temporary folder),
  ``without-streaming`` (S3: received, then sent), each but the first a settings module
  bench/VARIANT_settings.py. On request (``--variants``): ``mallopt``, the allocator set up by
  a mallopt() call in the process instead of GLIBC_TUNABLES, and ``without-transfer-config``,
  boto3's own S3 transfer settings.
- ``threads-s3``: a fresh worker's 32 threads each touching S3 for the first time: 32 small
  uploads at once, after one. Its ratio is the time of those 32 against 32 more once every thread
  has its S3 client; ``first_call_cpu`` the worker's CPU time per new thread beyond that, and
  ``worker_growth`` its memory kept afterwards. ``threads-s3-without-shared-models``: each
  thread's boto3 session reading botocore's models itself, against the project.

Every server runs with the variables the Dockerfile's ENV lines give the image, with the system's
temporary folder on another filesystem than the media folder where one has room (a container's
/tmp and its /data volume are two), and with S3 requests waiting longer for the answers of a
silent server than the project lets them (bench/moto_settings.py, for moto's sake). Each line
gives the median ratio of the runs, the web worker's CPU time and minor page faults (each a page
of memory handed to it afresh; the medians) and its peak memory growth during the upload (the
largest of the runs), which should not depend on the file's size. ``--untuned`` also measures the
project without
its upload settings (bench/untuned_settings.py), for comparison.
"""

import argparse
import contextlib
import itertools
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

from bench import common
from tests.helpers.files import sha256, write_random_file
from tests.helpers.gunicorn import Gunicorn
from tests.helpers.project import ROOT

ADD_URL = "/admin/uploader/uploadedfile/add/"
FILE_TARGET, S3_TARGET, MEMORY_TARGET = 1.5, 1.1, 64 * common.MiB
# Uploads at once before the timed ones: each runs on a thread of its own, and the timed uploads,
# one at a time, then run on one of those (gunicorn's thread pool starts a thread only when none
# is idle).
WARM_UP_UPLOADS = 8
# gunicorn.conf.py's threads per worker, each touching S3 for the first time in ``threads-s3``.
THREADS = 32
SMALL_FILE = 64 * 1024
# The variable through which the image sets glibc's allocator up (Dockerfile).
ALLOCATOR_VARIABLE = "GLIBC_TUNABLES"


@dataclass(frozen=True)
class Variant:
    """The project with one piece of tuning removed: its settings and the variables it lacks."""

    settings: str = ""  # a DJANGO_SETTINGS_MODULE; the project's own if empty
    without: tuple = ()  # variables of the image's environment it does without
    cases: tuple = ("file", "s3")


PROJECT = ""
# The project's settings, its S3 storage waiting longer for moto (see there); each variant's
# settings module starts from it.
PROJECT_SETTINGS = "bench.moto_settings"
UNTUNED = "untuned"
VARIANTS = {
    UNTUNED: Variant("bench.untuned_settings", (ALLOCATOR_VARIABLE,)),
    "without-allocator": Variant(without=(ALLOCATOR_VARIABLE,)),
    "without-large-reads": Variant("bench.without_large_reads_settings"),
    "without-rename": Variant("bench.without_rename_settings", cases=("file",)),
    "without-streaming": Variant("bench.without_streaming_settings", cases=("s3",)),
    "without-shared-models": Variant("bench.without_shared_models_settings", cases=("threads",)),
    "mallopt": Variant("bench.mallopt_settings", (ALLOCATOR_VARIABLE,)),
    "without-transfer-config": Variant("bench.without_transfer_config_settings", cases=("s3",)),
}
# Measured unless --variants says otherwise: each piece of the project's tuning removed.
ABLATIONS = [
    "without-allocator",
    "without-large-reads",
    "without-rename",
    "without-streaming",
    "without-shared-models",
]
# Measured on request: the allocator set up by the process itself, as the project once did, and
# boto3's own S3 transfer settings.
OTHERS = ["mallopt", "without-transfer-config"]


def image_environment():
    """The variables the Dockerfile's ``ENV NAME=value`` lines give the image."""
    return dict(re.findall(r"(?m)^ENV (\w+)=(\S+)$", (ROOT / "Dockerfile").read_text()))


def file_digest(path):
    with open(path, "rb") as file:
        return sha256(iter(lambda: file.read(common.MiB), b""))


def warm_memory(source, scratch):
    """Write a copy of ``source`` and delete it, untimed, just before a timed step.

    A virtual machine may give the memory freed on it back to its host a few seconds later
    (virtio-balloon's free page reporting, as here): the next step to fill that much page cache
    then waits for the host to hand each page back. Measured here, ``cp`` of 1 GiB took 0.3 s
    right after another, 1.8 to 2.7 s after a pause of 3 to 10 s. Each step then starts alike.
    """
    shutil.copyfile(source, scratch)
    scratch.unlink()


def children_cpu_seconds():
    """CPU time of the processes this one started and waited for: curl's, around an upload."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def resident_memory(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)[1]) * 1024


def page_faults(pid):
    """Minor page faults of a process so far: each a page of memory it was handed afresh."""
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[7])


def thread_count(pid):
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


class Admin:
    """A logged-in admin posting the add form with curl, which streams the file from disk."""

    def __init__(self, url):
        self.url = url + ADD_URL
        session = requests.Session()
        login = f"{url}/admin/login/"
        response = session.post(
            login,
            allow_redirects=False,
            data={
                "username": common.ADMIN_USER,
                "password": common.ADMIN_PASSWORD,
                "csrfmiddlewaretoken": form_token(session, login),
                "next": "/admin/",
            },
        )
        if response.status_code != 302:
            raise RuntimeError(f"admin login failed: {response.status_code}")
        self.token = form_token(session, self.url)
        self.cookies = "; ".join(f"{key}={value}" for key, value in session.cookies.items())

    def upload(self, path):
        """Seconds curl took from connecting to the admin's redirect after saving."""
        status, elapsed, location = post_file(self.url, path, self.token, self.cookies)
        check_saved(status, location)
        return elapsed

    def warm_up(self, path):
        """Upload small files at once, on as many of the worker's threads.

        Each thread makes its own S3 client (django-storages' are per thread) the first time, once.
        """
        with ThreadPoolExecutor(WARM_UP_UPLOADS) as pool:
            list(pool.map(self.upload, [path] * WARM_UP_UPLOADS))

    def burst(self, path, count):
        """Post ``count`` small uploads at the same moment, each on a connection of its own.

        Return the seconds from the first sent to the last answered, and each one's.
        """
        content = path.read_bytes()
        together = threading.Barrier(count)

        def post(number):
            together.wait()
            started = time.perf_counter()
            response = requests.post(
                self.url,
                data={"csrfmiddlewaretoken": self.token},
                files={"file": (f"{number}-{path.name}", content, "application/octet-stream")},
                headers={"Cookie": self.cookies, "Connection": "close"},
                allow_redirects=False,
                timeout=120,
            )
            check_saved(str(response.status_code), response.headers.get("Location", ""))
            return started, time.perf_counter()

        with ThreadPoolExecutor(count) as pool:
            spans = list(pool.map(post, range(count)))
        elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
        return elapsed, [end - start for start, end in spans]


def check_saved(status, location):
    """Raise unless the admin answered that it saved the upload: a redirect away from its form.

    It redirects to the form again, with the error in the page it then shows, when storing fails.
    """
    if status != "302":
        raise RuntimeError(f"the admin answered {status} instead of saving the upload")
    if location.endswith(ADD_URL):
        raise RuntimeError("the admin did not store the upload (see the server's log)")


def form_token(session, url):
    page = session.get(url).text
    return page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def post_file(url, path, token="", cookies=""):
    """Post the add form with curl; return the HTTP status, the seconds it took and the
    redirect's location (empty if none)."""
    status, total, *location = subprocess.run(
        [
            "curl",
            "--silent",
            "--show-error",
            "--output",
            "/dev/null",
            "--write-out",
            "%{http_code} %{time_total} %{redirect_url}",
            # A browser sends the body at once; curl would otherwise wait for 100 Continue.
            "--header",
            "Expect:",
            # As a browser names the page it posts from: the project streams only such a file.
            "--header",
            f"Origin: {origin(url)}",
            "--header",
            f"Cookie: {cookies}",
            "--form",
            f"csrfmiddlewaretoken={token}",
            "--form",
            f"file=@{path};filename={path.name};type=application/octet-stream",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return status, float(total), "".join(location)


class BodyToFileServer:
    """A server that writes each request's body to a file and answers 204.

    As fast as a socket can be read and a file written: the least time any web server here takes to
    receive an upload.
    """

    def __init__(self, path):
        self.path = path
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        buffer = memoryview(bytearray(common.MiB))
        while True:
            connection, _ = self.socket.accept()
            with connection, open(self.path, "wb") as file:
                head = b""
                while b"\r\n\r\n" not in head:
                    head += connection.recv(65536)
                header, _, body = head.partition(b"\r\n\r\n")
                file.write(body)
                left = int(re.search(rb"(?im)^content-length: *(\d+)", header)[1]) - len(body)
                while left > 0:
                    received = connection.recv_into(buffer)
                    if not received:
                        break
                    file.write(buffer[:received])
                    left -= received
                connection.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")


def print_log_tail(log, lines=40):
    """Print the end of a server's log: the scratch folder it is in goes with the run."""
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    print(f"# the end of {log.name}:", *tail, sep="\n", file=sys.stderr)


def variants_for(args, case):
    """The project first, then the variants measured with it in ``case``."""
    names = ([UNTUNED] if args.untuned else []) + args.variants
    return [PROJECT] + [name for name in names if case in VARIANTS[name].cases]


def server_environment(args, environ, name):
    """The variables of a server of variant ``name`` (the project's: PROJECT) of the site."""
    environ = {
        **environ,
        **image_environment(),
        "UPLOAD_MAX_SIZE": str(args.size),
        "DJANGO_SETTINGS_MODULE": PROJECT_SETTINGS,
    }
    if args.temporary_folder:
        environ["TMPDIR"] = args.temporary_folder
    if name != PROJECT:
        variant = VARIANTS[name]
        for variable in variant.without:
            environ.pop(variable, None)
        if variant.settings:
            environ["DJANGO_SETTINGS_MODULE"] = variant.settings
    return environ


@contextlib.contextmanager
def servers(args, folder, environ, case):
    """Start one gunicorn (one worker, the project's gunicorn.conf.py) per variant of ``case``,
    logged in and warmed up; yield {name: (server, admin)}."""
    started = {}
    try:
        for name in variants_for(args, case):
            log = folder / f"gunicorn-{name or 'project'}.log"
            started[name] = Gunicorn(server_environment(args, environ, name), log, "--workers=1")
        ready = {}
        for name, server in started.items():
            server.wait_for("/admin/login/", status=200)
            admin = Admin(server.url)
            admin.warm_up(folder.parent / "warm-up.bin")
            ready[name] = server, admin
        yield ready
    except Exception:
        for server in started.values():
            print_log_tail(server.log)
        raise
    finally:
        for server in started.values():
            server.stop()


class Runs:
    """One variant's measurements, run after run."""

    def __init__(self):
        self.uploads, self.cpus, self.growths, self.client_cpus = [], [], [], []
        self.faults = []

    def measure(self, server, upload):
        worker = server.worker_pid()
        cpu, client_cpu = common.cpu_seconds(worker), children_cpu_seconds()
        faults = page_faults(worker)
        with common.PeakMemory(worker) as memory:
            self.uploads.append(upload())
        self.cpus.append(common.cpu_seconds(worker) - cpu)
        self.faults.append(page_faults(worker) - faults)
        self.client_cpus.append(children_cpu_seconds() - client_cpu)
        self.growths.append(memory.growth)

    def details(self):
        return {
            "upload": common.seconds(common.median(self.uploads)),
            "worker_cpu": common.seconds(common.median(self.cpus)),
            "worker_peak": common.mib(max(self.growths)),
            "worker_faults": f"{common.median(self.faults):.0f}",
        }


def ratios(mine, theirs):
    """Each run's ratio of ``mine`` to ``theirs``."""
    return [one / other for one, other in zip(mine, theirs, strict=True)]


def in_turns(names, repeat):
    """The variants' order in each run: rotated, so that none always follows the same step."""
    for run in range(repeat):
        offset = run % len(names)
        yield names[offset:] + names[:offset]


def measure(args, case, target, baselines, servers, upload_and_check, source):
    """Run each baseline (name: function), then each variant's upload, ``--repeat`` times; report.

    For the project and the untuned project: the median ratio to the first baseline, the medians
    of all times, and the largest peak memory growth of the web worker. For each variant: the
    median ratio to the project's upload in the same run, its worker's CPU time and memory.
    """
    scratch = source.with_name("warm-memory.bin")
    runs = {name: Runs() for name in servers}
    times = {name: [] for name in baselines}
    for order in in_turns(list(servers), args.repeat):
        for name, baseline in baselines.items():
            # Each starts with no dirty pages waiting for the disk: one run's writes would
            # otherwise slow down the next one's.
            warm_memory(source, scratch)
            os.sync()
            times[name].append(baseline())
        for name in order:
            warm_memory(source, scratch)
            os.sync()
            server, admin = servers[name]
            runs[name].measure(server, lambda admin=admin: upload_and_check(admin))
    first = next(iter(times.values()))
    for name in [PROJECT, UNTUNED]:
        if name not in runs:
            continue
        measured = runs[name]
        growth = max(measured.growths)
        common.report(
            f"{case}-{name}" if name else case,
            common.median(ratios(measured.uploads, first)),
            target,
            upload=common.seconds(common.median(measured.uploads)),
            **{name: common.seconds(common.median(values)) for name, values in times.items()},
            size=f"{args.size // common.MiB}MiB",
            client_cpu=common.seconds(common.median(measured.client_cpus)),
            worker_cpu=common.seconds(common.median(measured.cpus)),
            worker_faults=f"{common.median(measured.faults):.0f}",
            worker_peak=common.mib(growth),
            memory_target=common.mib(MEMORY_TARGET),
            memory="met" if growth <= MEMORY_TARGET else "MISSED",
            temporary_folder=args.temporary_folder_kind,
            runs=args.repeat,
        )
    report_variants(args, case, runs)


def report_variants(args, case, runs):
    """One line per variant: its median ratio to the project's figures of the same runs."""
    project = runs[PROJECT]
    for name, measured in runs.items():
        if name in (PROJECT, UNTUNED):
            continue
        tuned = project.details()
        common.report(
            f"{case}-{name}",
            common.median(ratios(measured.uploads, project.uploads)),
            **measured.details(),
            tuned=tuned["upload"],
            cpu_ratio=f"{common.median(ratios(measured.cpus, project.cpus)):.2f}",
            tuned_cpu=tuned["worker_cpu"],
            tuned_peak=tuned["worker_peak"],
            tuned_faults=tuned["worker_faults"],
            size=f"{args.size // common.MiB}MiB",
            runs=args.repeat,
        )


def file_case(args, folder, source, expected):
    folder = folder / "file"
    media = folder / "media"
    environ = common.site_environment(folder, f"file://{quote(str(media))}/?url=%2Fmedia%2F")
    common.prepare_site(environ)
    with servers(args, folder, environ, "file") as started:
        copy = folder.parent / "copy.bin"
        floor_server = BodyToFileServer(copy)

        def cp():
            elapsed = timed(subprocess.run, ["cp", source, copy], check=True)
            copy.unlink()
            return elapsed

        def http_floor():
            status, elapsed, _ = post_file(floor_server.url, source)
            if status != "204":
                raise RuntimeError(f"the floor's server answered {status}")
            copy.unlink()
            return elapsed

        def upload_and_check(admin):
            elapsed = admin.upload(source)
            (stored,) = media.glob(f"{source.stem}*")
            if file_digest(stored) != expected:
                raise RuntimeError(f"{stored} does not hold the uploaded bytes")
            stored.unlink()
            return elapsed

        measure(
            args,
            "upload-file",
            FILE_TARGET,
            {"cp": cp, "http_floor": http_floor},
            started,
            upload_and_check,
            source,
        )


def s3_case(args, folder, source, expected):
    folder = folder / "s3"
    with (
        common.s3_site(args.s3, folder) as (client, bucket, environ),
        servers(args, folder, environ, "s3") as started,
    ):

        def direct():
            return common.boto3_upload_seconds(client, source, bucket)

        def upload_and_check(admin):
            elapsed = admin.upload(source)
            common.check_and_delete(client, bucket, expected, prefix=source.stem)
            return elapsed

        measure(args, "upload-s3", S3_TARGET, {"direct": direct}, started, upload_and_check, source)


class FreshThreads:
    """One run of ``threads-s3`` for a variant: a fresh worker, one upload, then two bursts."""

    def __init__(self, args, folder, environ, name, small):
        log = folder / f"gunicorn-{name or 'project'}.log"
        server = Gunicorn(server_environment(args, environ, name), log, "--workers=1")
        try:
            server.wait_for("/admin/login/", status=200)
            admin = Admin(server.url)
            admin.upload(small)  # Django, the admin and S3 loaded, on one thread
            worker = server.worker_pid()
            memory, cpu = resident_memory(worker), common.cpu_seconds(worker)
            threads = thread_count(worker)
            with common.PeakMemory(worker) as peak:
                self.first, self.first_each = admin.burst(small, THREADS)
            self.threads = thread_count(worker) - threads
            self.growth, self.peak = resident_memory(worker) - memory, peak.growth
            self.first_cpu = common.cpu_seconds(worker) - cpu
            cpu = common.cpu_seconds(worker)
            self.warm, self.warm_each = admin.burst(small, THREADS)
            self.warm_cpu = common.cpu_seconds(worker) - cpu
        except Exception:
            print_log_tail(server.log)
            raise
        finally:
            server.stop()

    @property
    def first_call_cpu(self):
        """The worker's CPU time per new thread beyond the same burst on threads that had run."""
        return (self.first_cpu - self.warm_cpu) / max(self.threads, 1)


def threads_case(args, folder, source, expected):
    folder = folder / "threads"
    with common.s3_site(args.s3, folder) as (_, _, environ):
        small = folder.parent / "small.bin"
        small.write_bytes(os.urandom(SMALL_FILE))
        names = variants_for(args, "threads")
        runs = {name: [] for name in names}
        for order in in_turns(names, args.repeat):
            for name in order:
                runs[name].append(FreshThreads(args, folder, environ, name, small))
    project = runs[PROJECT]
    for name, measured in runs.items():
        details = {
            "first": common.seconds(common.median([run.first for run in measured])),
            "first_each": common.seconds(common.median(list(each(measured, "first_each")))),
            "first_call_cpu": common.seconds(common.median([r.first_call_cpu for r in measured])),
            "worker_growth": common.mib(common.median([run.growth for run in measured])),
            "worker_peak": common.mib(max(run.peak for run in measured)),
        }
        if name == PROJECT:
            ratio = common.median([run.first / run.warm for run in measured])
            details |= {
                "warm": common.seconds(common.median([run.warm for run in measured])),
                "warm_each": common.seconds(common.median(list(each(measured, "warm_each")))),
            }
        else:
            pairs = zip(measured, project, strict=True)
            ratio = common.median([mine.first / theirs.first for mine, theirs in pairs])
            details |= {
                "tuned": common.seconds(common.median([run.first for run in project])),
                "tuned_first_call_cpu": common.seconds(
                    common.median([run.first_call_cpu for run in project])
                ),
                "tuned_growth": common.mib(common.median([run.growth for run in project])),
            }
        common.report(
            f"threads-s3-{name}" if name else "threads-s3",
            ratio,
            **details,
            new_threads=min(run.threads for run in measured),
            runs=args.repeat,
        )


def each(runs, field):
    return itertools.chain.from_iterable(getattr(run, field) for run in runs)


def other_filesystem_folder(folder, size):
    """Return a folder on another filesystem than ``folder`` with room for two files of ``size``
    (the kind of filesystem), or None where there is none (then the system's own is used)."""
    candidate = Path("/dev/shm")  # noqa: S108 - a folder of our own is made in it
    if not candidate.is_dir() or candidate.stat().st_dev == folder.stat().st_dev:
        return None
    if shutil.disk_usage(candidate).free < 2 * size + 64 * common.MiB:
        return None
    return candidate


CASES = {"file": file_case, "s3": s3_case, "threads": threads_case}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", type=common.mebibytes, default="1G", help="file size: 1G, 256M (1G)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per case, median reported (3)")
    common.add_s3_server_argument(parser)
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument(
        "--variants",
        nargs="*",
        choices=ABLATIONS + OTHERS,
        default=ABLATIONS,
        help=f"the variants measured with the project ({' '.join(ABLATIONS)}; none if empty)",
    )
    parser.add_argument(
        "--untuned",
        action="store_true",
        help="also Django's upload handlers and boto3's S3 transfer defaults",
    )
    args = common.parse_arguments(
        parser, "64M, one run: the script works", size=64 * common.MiB, repeat=1
    )
    with common.scratch_folder("upload") as folder, contextlib.ExitStack() as stack:
        temporary = other_filesystem_folder(folder, args.size)
        args.temporary_folder = args.temporary_folder_kind = None
        if temporary:
            args.temporary_folder = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="bench-upload-", dir=temporary)
            )
            args.temporary_folder_kind = f"other-filesystem:{temporary}"
        else:
            args.temporary_folder_kind = "same-filesystem"
        source = folder / "source.bin"
        # Random bytes, so that nothing on the way can compress or deduplicate them.
        expected = write_random_file(source, args.size // common.MiB)
        write_random_file(folder / "warm-up.bin", 1)
        for case in args.cases:
            (folder / case).mkdir()
            CASES[case](args, folder, source, expected)


if __name__ == "__main__":
    main()
