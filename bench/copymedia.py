"""`manage.py copymedia` against `rclone copy`, on the same generated files, in the same run.

    .venv/bin/python -m bench.copymedia [--repeat 3] [--jobs N] [--large 256M] [--quick]

Both copy into fresh destinations of the same servers, one after the other (their order
alternating from one run to the next), as whole processes: copymedia as ``python manage.py
copymedia``, rclone (Debian's, with its defaults) as ``rclone copy`` with a configuration file
written for the run. The files are those of issue #17: 300 of 256 KiB and 4 of 64 MiB.

- ``folder-to-bucket``: a folder into a bucket of a moto server on loopback.
- ``bucket-to-bucket``: a bucket into another bucket of the same server (copied server-side).
- ``bucket-to-folder``: a bucket into an empty folder.
- ``s3-to-azure``: a bucket into a container of Azurite (rclone's ``azureblob`` backend).
- ``…-rerun``: the same copy again, where nothing is left to copy.
- ``large-…`` (unless ``--quick`` or ``--large 0``): the first copies again with one file of
  ``--large`` (256 MiB), many times an S3 part, to show that memory does not grow with a file's
  size. Their times are mostly start-up times (Python and Django's against rclone's), so their
  ratios are shown, not held to the target.

``--quick`` copies 8 files of 256 KiB and one of 9 MiB (two S3 parts), once: CI runs it to see
that the script works, its ratios dominated by the start-up of Python and Django.

Each line gives the median times of the runs, their ratio (target: 1.5) and the peak resident
memory of each process (``peak``, ``rclone_peak``, the largest of the runs; target: copymedia's
at most 64 MiB above rclone's).
"""

import argparse
import configparser
import datetime
import json
import os
import shutil
import subprocess
import sys
from typing import NamedTuple
from urllib.parse import quote

from bench.common import ROOT, MiB, machine, mebibytes, median, report, scratch_folder
from tests.helpers import azurite, s3
from tests.helpers.ports import free_port

RATIO_TARGET, MEMORY_TARGET = 1.5, 64 * MiB
# The files of issue #17's table (331 MiB in all), and --quick's.
FILES = {"small": (300, 256 * 1024), "large": (4, 64 * MiB)}
QUICK_FILES = {"small": (8, 256 * 1024), "large": (1, 9 * MiB)}
BLOCK = 8 * MiB
RCLONE = "/usr/bin/rclone"


def generate(folder, files):
    """Random bytes, so that nothing on the way can compress or deduplicate them."""
    for kind, (count, size) in files.items():
        for number in range(count):
            path = folder / kind / f"{number:03}.bin"
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as file:
                for start in range(0, size, BLOCK):
                    file.write(os.urandom(min(BLOCK, size - start)))


# Run by a small Python process of its own: a process started from this one inherits its
# resident size as the floor of its own peak (ru_maxrss counts the memory of the process it was
# forked from, before exec), and this one holds boto3, moto's client and the Azure SDK.
LAUNCHER = """
import json, os, subprocess, sys, time
for line in sys.stdin:
    command, environ = json.loads(line)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    errors = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    result = [os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss * 1024, errors]
    print(json.dumps(result), flush=True)
"""


class Launcher:
    """Runs commands one at a time and measures each: ``(seconds, peak resident memory)``, the
    peak as the kernel counts it for the process and the children it waited for."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, command, environ):
        self.process.stdin.write(json.dumps([command, environ]) + "\n")
        self.process.stdin.flush()
        status, seconds, peak, errors = json.loads(self.process.stdout.readline())
        if status:
            raise RuntimeError(f"{command[0]} failed ({status}): {errors}")
        return seconds, peak

    def stop(self):
        self.process.stdin.close()
        self.process.wait()


class Servers:
    """A moto server and Azurite, with the names both tools use for their buckets and folders."""

    def __init__(self, scratch, launcher):
        self.launcher = launcher
        self.moto = s3.MotoServer(free_port())
        self.s3 = self.moto.client()
        self.azurite = None
        if azurite.installed_version() == azurite.VERSION:
            self.azurite = azurite.AzuriteServer(free_port(), scratch / "azurite")
        self.config = scratch / "rclone.conf"
        self.write_rclone_config()
        self.environ = {"PATH": os.environ["PATH"], "DJANGO_DEBUG": "True"}
        s3.isolate_from_aws_configuration(self.environ)
        self.count = 0
        self.jobs = None

    def write_rclone_config(self):
        """rclone's remote ``s3:``, the server of copymedia's ``s3+http://`` DSNs."""
        config = configparser.ConfigParser(interpolation=None)
        config["s3"] = {
            "type": "s3",
            "provider": "Other",
            "access_key_id": s3.KEY,
            "secret_access_key": s3.SECRET,
            "endpoint": self.moto.endpoint,
            "force_path_style": "true",
        }
        with self.config.open("w") as file:
            config.write(file)

    def add_rclone_container(self, name):
        """A remote of its own for the container ``name``: rclone 1.60's ``azureblob`` reaches
        an endpoint such as Azurite's (``http://127.0.0.1:PORT/ACCOUNT``) only through a SAS URL
        (its ``endpoint`` is a host suffix after ``https://ACCOUNT.``, its emulator's port 10000).
        """
        from azure.storage.blob import ContainerSasPermissions, generate_container_sas

        token = generate_container_sas(
            azurite.ACCOUNT,
            name,
            account_key=azurite.KEY,
            permission=ContainerSasPermissions(
                read=True, add=True, create=True, write=True, delete=True, list=True
            ),
            expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1),
        )
        config = configparser.ConfigParser(interpolation=None)
        config.read(self.config)
        config[name] = {"type": "azureblob", "sas_url": f"{self.azurite.endpoint}/{name}?{token}"}
        with self.config.open("w") as file:
            config.write(file)

    def stop(self):
        self.moto.stop()
        if self.azurite:
            self.azurite.stop()

    def new_bucket(self):
        self.count += 1
        name = f"bench-{self.count}"
        self.s3.create_bucket(Bucket=name)
        return End(self.moto.dsn(name), f"s3:{name}")

    def drop_bucket(self, end):
        name = end.remote.removeprefix("s3:")
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for item in page.get("Contents", []):
                self.s3.delete_object(Bucket=name, Key=item["Key"])
        self.s3.delete_bucket(Bucket=name)

    def new_container(self):
        container = self.azurite.new_container()
        self.add_rclone_container(container.name)
        return End(container.dsn, f"{container.name}:{container.name}")

    def drop_container(self, end):
        self.azurite.client().delete_container(end.remote.partition(":")[0])

    def copymedia(self, source, destination):
        jobs = ["--jobs", str(self.jobs)] if self.jobs else []
        command = [sys.executable, "manage.py", "copymedia", "--from", source, "--to", destination]
        return self.launcher.run([*command, *jobs], self.environ)

    def rclone(self, source, destination):
        command = [RCLONE, "--config", str(self.config), "copy", source, destination]
        return self.launcher.run(command, self.environ)


class End(NamedTuple):
    """One side of a copy, as each tool names it."""

    dsn: str  # copymedia's --from or --to
    remote: str  # rclone's source or destination


def folder_end(path):
    return End(f"file://{quote(str(path))}/?url=%2Fmedia%2F", str(path))


class Results:
    """The times and peaks of each case over the runs, reported once all runs are done."""

    def __init__(self):
        self.cases = {}
        self.untimed = set()

    def add(self, case, copymedia, rclone, timed=True):
        """Record one run of ``case``; ``timed=False``: a case for its memory, its ratio not
        held to the target."""
        self.cases.setdefault(case, []).append((copymedia, rclone))
        if not timed:
            self.untimed.add(case)

    def report(self):
        for case, runs in self.cases.items():
            copymedia = median([seconds for (seconds, _), _ in runs])
            rclone = median([seconds for _, (seconds, _) in runs])
            peak = max(peak for (_, peak), _ in runs)
            rclone_peak = max(peak for _, (_, peak) in runs)
            report(
                case,
                copymedia / rclone,
                None if case in self.untimed else RATIO_TARGET,
                copymedia=f"{copymedia:.2f}s",
                rclone=f"{rclone:.2f}s",
                peak=f"{peak // MiB}MiB",
                rclone_peak=f"{rclone_peak // MiB}MiB",
                memory="met" if peak <= rclone_peak + MEMORY_TARGET else "MISSED",
                runs=len(runs),
            )


class Run:
    """Every case once on the files of a folder, each tool copying into fresh destinations; the
    order of the tools alternates from one run to the next."""

    def __init__(self, servers, results, scratch, number, prefix="", large=False):
        self.servers, self.results, self.scratch = servers, results, scratch
        self.rclone_first = bool(number % 2)
        self.prefix, self.large = prefix, large

    def compare(self, case, source, mine, theirs):
        """Copy ``source`` with each tool into its own destination, then again
        (``CASE-rerun``), where nothing is left to copy."""
        steps = {
            "copymedia": lambda: self.servers.copymedia(source.dsn, mine.dsn),
            "rclone": lambda: self.servers.rclone(source.remote, theirs.remote),
        }
        order = ["rclone", "copymedia"] if self.rclone_first else ["copymedia", "rclone"]
        # A single large file is for the memory: its times are mostly start-up times, and its
        # rerun finds it at once.
        for suffix in ("",) if self.large else ("", "-rerun"):
            measured = {tool: steps[tool]() for tool in order}
            self.results.add(
                f"{self.prefix}{case}{suffix}",
                measured["copymedia"],
                measured["rclone"],
                timed=not self.large,
            )

    def every_case(self, files):
        servers = self.servers
        mine, theirs = servers.new_bucket(), servers.new_bucket()
        self.compare("folder-to-bucket", folder_end(files), mine, theirs)
        servers.drop_bucket(theirs)
        # copymedia's bucket is the source of the other cases, for both tools.
        source = mine

        mine, theirs = servers.new_bucket(), servers.new_bucket()
        self.compare("bucket-to-bucket", source, mine, theirs)
        servers.drop_bucket(mine)
        servers.drop_bucket(theirs)

        mine, theirs = folder_end(self.scratch / "copymedia"), folder_end(self.scratch / "rclone")
        self.compare("bucket-to-folder", source, mine, theirs)
        for end in (mine, theirs):
            shutil.rmtree(end.remote)

        if servers.azurite:
            mine, theirs = servers.new_container(), servers.new_container()
            self.compare("s3-to-azure", source, mine, theirs)
            servers.drop_container(mine)
            servers.drop_container(theirs)
        servers.drop_bucket(source)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case, medians (3)")
    parser.add_argument("--jobs", type=int, help="copymedia's --jobs (its default)")
    parser.add_argument(
        "--large", type=mebibytes, default="256M", help="the large-… cases' file (256M; 0: none)"
    )
    parser.add_argument("--quick", action="store_true", help="a few small files, once")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.large = 1, 0
    print(machine(), flush=True)
    print(f"# load: {' '.join(f'{load:.2f}' for load in os.getloadavg())}", flush=True)
    if not os.path.exists(RCLONE):
        raise SystemExit("rclone is not installed: apt-get install rclone")
    launcher = Launcher()  # first, while this process is small
    with scratch_folder("copymedia") as scratch:
        servers = Servers(scratch, launcher)
        servers.jobs = args.jobs
        if not servers.azurite:
            print(f"# s3-to-azure skipped: Azurite is not installed ({azurite.INSTALL})")
        try:
            results = Results()
            files = scratch / "files"
            generate(files, QUICK_FILES if args.quick else FILES)
            large = scratch / "large"
            if args.large:
                generate(large, {"large": (1, args.large)})
            for number in range(args.repeat):
                Run(servers, results, scratch, number).every_case(files)
                if args.large:
                    Run(servers, results, scratch, number, "large-", large=True).every_case(large)
            results.report()
        finally:
            servers.stop()
            launcher.stop()
    print(f"# load: {' '.join(f'{load:.2f}' for load in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
