"""An admin upload through gunicorn, against the fastest way to put the same file in the same place.

    .venv/bin/python -m bench.upload [--size 1G] [--repeat 3] [--quick] [--cases file s3]
                                     [--untuned]

- ``upload-file``: the admin's add form posted by curl (a streaming client, as a browser is) to
  gunicorn with file storage, against ``cp`` of the same file on the same disk. ``http_floor``
  is the same post to a server that only writes the body to a file on that disk, as fast as a
  socket can be read: the least time any upload over HTTP takes here. ``client_cpu`` is the CPU
  time curl took to send the file.
- ``upload-s3``: the same with S3 storage on a moto server on loopback, against a direct boto3
  upload (``upload_file``) of the same file to the same server.

Each line gives the median ratio of the runs and the web worker's peak memory growth during the
upload (the largest of the runs), which should not depend on the file's size. ``--untuned``
measures the project without its upload settings (bench/untuned_settings.py), for comparison.
"""

import argparse
import os
import re
import resource
import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import requests

from bench import common
from tests.helpers import s3
from tests.helpers.files import sha256, write_random_file
from tests.helpers.gunicorn import Gunicorn
from tests.helpers.ports import free_port

ADD_URL = "/admin/uploader/uploadedfile/add/"
FILE_TARGET, S3_TARGET, MEMORY_TARGET = 1.5, 1.1, 64 * common.MiB
# Uploads at once before the timed ones: each runs on a thread of its own, and the timed uploads,
# one at a time, then run on one of those (gunicorn's thread pool starts a thread only when none
# is idle).
WARM_UP_UPLOADS = 8


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
        status, elapsed = post_file(self.url, path, self.token, self.cookies)
        if status != "302":
            raise RuntimeError(f"the admin answered {status} instead of saving the upload")
        return elapsed

    def warm_up(self, path):
        """Upload small files at once, on as many of the worker's threads.

        Each thread makes its own S3 client (django-storages' are per thread) the first time, once.
        """
        with ThreadPoolExecutor(WARM_UP_UPLOADS) as pool:
            list(pool.map(self.upload, [path] * WARM_UP_UPLOADS))


def form_token(session, url):
    page = session.get(url).text
    return page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def post_file(url, path, token="", cookies=""):
    """Post the add form with curl; return the HTTP status and the seconds it took."""
    status, total = subprocess.run(
        [
            "curl",
            "--silent",
            "--show-error",
            "--output",
            "/dev/null",
            "--write-out",
            "%{http_code} %{time_total}",
            # A browser sends the body at once; curl would otherwise wait for 100 Continue.
            "--header",
            "Expect:",
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
    return status, float(total)


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


def settings(args):
    """Return the variables that make the admin take the file, and the settings to measure."""
    untuned = {"DJANGO_SETTINGS_MODULE": "bench.untuned_settings"} if args.untuned else {}
    return {"UPLOAD_MAX_SIZE": str(args.size), **untuned}


def measure(args, case, target, server, baselines, upload_and_check, source):
    """Run each baseline (name: function) and the upload in turn, ``--repeat`` times, and report.

    It prints the median ratio to the first baseline, the medians of all times, and the largest peak
    memory growth of the web worker.
    """
    scratch = source.with_name("warm-memory.bin")
    case += "-untuned" if args.untuned else ""
    ratios, uploads, growths, cpus, client_cpus = [], [], [], [], []
    times = {name: [] for name in baselines}
    worker = server.worker_pid()
    for _ in range(args.repeat):
        for name, baseline in baselines.items():
            # Each starts with no dirty pages waiting for the disk: one run's writes would
            # otherwise slow down the next one's.
            warm_memory(source, scratch)
            os.sync()
            times[name].append(baseline())
        warm_memory(source, scratch)
        os.sync()
        cpu, client_cpu = common.cpu_seconds(worker), children_cpu_seconds()
        with common.PeakMemory(worker) as memory:
            uploads.append(upload_and_check())
        cpus.append(common.cpu_seconds(worker) - cpu)
        client_cpus.append(children_cpu_seconds() - client_cpu)
        growths.append(memory.growth)
        ratios.append(uploads[-1] / next(iter(times.values()))[-1])
    common.report(
        case,
        common.median(ratios),
        target,
        upload=common.seconds(common.median(uploads)),
        **{name: common.seconds(common.median(values)) for name, values in times.items()},
        size=f"{args.size // common.MiB}MiB",
        client_cpu=common.seconds(common.median(client_cpus)),
        worker_cpu=common.seconds(common.median(cpus)),
        worker_peak=common.mib(max(growths)),
        memory_target=common.mib(MEMORY_TARGET),
        memory="met" if max(growths) <= MEMORY_TARGET else "MISSED",
        runs=args.repeat,
    )


def file_case(args, folder, source, expected):
    folder = folder / "file"
    media = folder / "media"
    environ = common.site_environment(
        folder, f"file://{quote(str(media))}/?url=%2Fmedia%2F", **settings(args)
    )
    common.prepare_site(environ)
    server = Gunicorn(environ, folder / "gunicorn.log", "--workers=1")
    try:
        server.wait_for("/admin/login/", status=200)
        admin = Admin(server.url)
        admin.warm_up(folder.parent / "warm-up.bin")
        copy = folder.parent / "copy.bin"
        floor_server = BodyToFileServer(copy)

        def cp():
            elapsed = timed(subprocess.run, ["cp", source, copy], check=True)
            copy.unlink()
            return elapsed

        def http_floor():
            status, elapsed = post_file(floor_server.url, source)
            if status != "204":
                raise RuntimeError(f"the floor's server answered {status}")
            copy.unlink()
            return elapsed

        def upload_and_check():
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
            server,
            {"cp": cp, "http_floor": http_floor},
            upload_and_check,
            source,
        )
    finally:
        server.stop()


def s3_case(args, folder, source, expected):
    folder = folder / "s3"
    moto = s3.MotoServer(free_port())
    server = None
    try:
        client, bucket = moto.client(), "bench"
        client.create_bucket(Bucket=bucket)
        dsn = moto.dsn(bucket)
        environ = common.site_environment(folder, dsn, **settings(args))
        common.prepare_site(environ)
        server = Gunicorn(environ, folder / "gunicorn.log", "--workers=1")
        server.wait_for("/admin/login/", status=200)
        admin = Admin(server.url)
        admin.warm_up(folder.parent / "warm-up.bin")

        def direct():
            return common.boto3_upload_seconds(client, source, bucket)

        def upload_and_check():
            elapsed = admin.upload(source)
            common.check_and_delete(client, bucket, expected, prefix=source.stem)
            return elapsed

        measure(args, "upload-s3", S3_TARGET, server, {"direct": direct}, upload_and_check, source)
    finally:
        if server:
            server.stop()
        moto.stop()


CASES = {"file": file_case, "s3": s3_case}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", type=common.mebibytes, default="1G", help="file size: 1G, 256M (1G)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per case, median reported (3)")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument(
        "--untuned",
        action="store_true",
        help="Django's upload handlers and boto3's S3 transfer defaults",
    )
    args = common.parse_arguments(
        parser, "64M, one run: the script works", size=64 * common.MiB, repeat=1
    )
    with common.scratch_folder("upload") as folder:
        source = folder / "source.bin"
        # Random bytes, so that nothing on the way can compress or deduplicate them.
        expected = write_random_file(source, args.size // common.MiB)
        write_random_file(folder / "warm-up.bin", 1)
        for case in args.cases:
            (folder / case).mkdir()
            CASES[case](args, folder, source, expected)


if __name__ == "__main__":
    main()
