"""`manage.py copymedia` with one large file, against boto3 copying the same file directly.

    .venv/bin/python -m bench.copymedia [--size 1G]

- ``copymedia-folder-to-s3``: a folder into a bucket of a moto server on loopback, against
  boto3's ``upload_file`` of the same file.
- ``copymedia-s3-to-folder``: the bucket back into an empty folder, against ``download_file``.
- ``copymedia-rerun``: the folder into the bucket again, where nothing is copied (every file is
  compared by its checksum), against the first copy.

Each line gives the time ratio and the command's peak memory (``peak``), next to the peak of the
same command copying a folder of one small file (``baseline``): the difference should not grow
with the file's size.
"""

import argparse
import os
import subprocess
import sys
import time
from urllib.parse import quote

from bench.common import ROOT, MiB, machine, mebibytes, report, scratch_folder
from tests.helpers import s3
from tests.helpers.ports import free_port

BLOCK = 8 * MiB


def generate(path, length):
    with open(path, "wb") as file:
        for start in range(0, length, BLOCK):
            file.write(os.urandom(min(BLOCK, length - start)))


def copymedia(source, destination):
    """``(seconds, peak memory in bytes)`` of one run of the command, which must succeed."""
    environ = {"PATH": os.environ["PATH"], "DJANGO_DEBUG": "True"}
    s3.isolate_from_aws_configuration(environ)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "copymedia", "--from", source, "--to", destination],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status:
        raise RuntimeError(f"copymedia failed: {process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss * 1024


def timed(action):
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def folder(path):
    return f"file://{quote(str(path))}/?url=%2Fmedia%2F"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=mebibytes, default="1G")
    length = parser.parse_args().size
    print(machine())
    server = s3.MotoServer(free_port())
    client = server.client()
    host = server.endpoint.removeprefix("http://")
    try:
        with scratch_folder("copymedia") as scratch:
            small, large, back = scratch / "small", scratch / "large", scratch / "back"
            for path in (small, large, back):
                path.mkdir()
            (small / "small.txt").write_bytes(b"small")
            generate(large / "large.bin", length)
            for name in ("baseline", "bucket", "direct"):
                client.create_bucket(Bucket=name)

            def bucket(name):
                return f"s3+http://{s3.KEY}:{quote(s3.SECRET, safe='')}@{host}/{name}"

            _, baseline = copymedia(folder(small), bucket("baseline"))
            source = str(large / "large.bin")
            direct = timed(lambda: client.upload_file(source, "direct", "large.bin"))
            upload, upload_peak = copymedia(folder(large), bucket("bucket"))
            report(
                "copymedia-folder-to-s3",
                upload / direct,
                size=f"{length // MiB}MiB",
                seconds=f"{upload:.1f}",
                peak=f"{upload_peak // MiB}MiB",
                baseline=f"{baseline // MiB}MiB",
            )

            target = str(scratch / "direct.bin")
            direct = timed(lambda: client.download_file("direct", "large.bin", target))
            download, download_peak = copymedia(bucket("bucket"), folder(back))
            report(
                "copymedia-s3-to-folder",
                download / direct,
                size=f"{length // MiB}MiB",
                seconds=f"{download:.1f}",
                peak=f"{download_peak // MiB}MiB",
                baseline=f"{baseline // MiB}MiB",
            )

            rerun, rerun_peak = copymedia(folder(large), bucket("bucket"))
            report(
                "copymedia-rerun",
                rerun / upload,
                size=f"{length // MiB}MiB",
                seconds=f"{rerun:.1f}",
                peak=f"{rerun_peak // MiB}MiB",
                baseline=f"{baseline // MiB}MiB",
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
