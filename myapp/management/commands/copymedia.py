"""``manage.py copymedia --from DSN [--to DSN] [--delete] [--jobs N]``: copy every file of one
storage into another, e.g. ./data/media into the cloud bucket, a bucket into a folder, or between
buckets.

Names are kept exactly; files the destination already has with the same size and checksum are
skipped; nothing is deleted unless --delete says so. --jobs files travel at a time, large ones in
parallel parts, so memory stays bounded whatever their size; between two buckets of one S3
endpoint, or two containers of one Azure account, the service copies them itself. No partial
file ever stands under a file's name, so a copy that was cut short is finished by running it
again. Unlike `divio app push media`, it never replaces the whole bucket. docs/copymedia.md
tells more.
"""

import sys
import threading
from argparse import ArgumentTypeError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat, pluralize
from tqdm import tqdm

from myapp.management.storages import storage_from
from myapp.storage import copying
from myapp.storage.dsn import redact
from myapp.storage.errors import STORAGE_ERRORS, describe
from myapp.storage.folders import is_temporary


def job_count(text):
    """Return ``text`` as the number of files to copy at a time (``--jobs``), 1 or more."""
    number = int(text)
    if number < 1:
        raise ArgumentTypeError("must be 1 or more")
    return number


class Command(BaseCommand):
    help = (
        "Copy every file from the storage --from to the storage --to (default: "
        "DEFAULT_STORAGE_DSN), keeping names, skipping files already identical there (size and "
        "checksum). Ends with the line 'copied N, skipped M, failed K'; exits with status 1 if "
        "any file failed. Safe to run again after an interruption."
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
            help="Also delete the destination's files that the source does not have.",
        )
        parser.add_argument(
            "--jobs",
            "--transfers",
            type=job_count,
            default=copying.DEFAULT_JOBS,
            metavar="N",
            help=f"How many files to copy at a time (default: {copying.DEFAULT_JOBS}).",
        )

    def handle(self, *args, source, destination, delete, jobs, verbosity, **options):
        to = "--to" if destination else "DEFAULT_STORAGE_DSN"
        destination = destination or settings.DEFAULT_STORAGE_DSN
        if source == destination:
            raise CommandError(f"--from and {to} name the same storage.")
        self.verbosity = verbosity
        source = self.side(source, "--from")
        destination = self.side(destination, to, missing_ok=True)
        for name in [name for name in destination.files if is_temporary(name)]:
            # Left by a copy that was killed while writing into a folder.
            destination.delete(name)
            del destination.files[name]
        names = [name for name in source.files if not is_temporary(name)]
        total = sum(source.files[name].size for name in names)
        self.note(1, f"{len(names)} file{pluralize(len(names))}, {filesizeformat(total)}")

        copied = skipped = failed = 0
        # tqdm draws the bar on a terminal only (disable=None), never into a log.
        with tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=sys.stderr,
            disable=None if verbosity else True,
        ) as bar:
            lock = threading.Lock()

            def progress(size):
                with lock:
                    bar.update(size)

            for outcome in copying.copy_files(source, destination, names, jobs, progress):
                if outcome.error:
                    failed += 1
                    self.fail(outcome.name, outcome.error)
                elif outcome.copied:
                    copied += 1
                    self.note(2, f"copied {outcome.name}")
                else:
                    skipped += 1
                    self.note(2, f"skipped {outcome.name}")
            if delete:
                failed += self.delete_extra(source, destination)
        self.stdout.write(f"copied {copied}, skipped {skipped}, failed {failed}")
        if failed:
            raise SystemExit(1)

    def side(self, dsn, what, missing_ok=False):
        side = copying.open_side(storage_from(dsn, what))
        self.note(1, f"{what}: {redact(dsn, dsn)}")
        try:
            side.list()
        except STORAGE_ERRORS as error:
            # A destination folder that does not exist yet is created by the first file.
            if not (missing_ok and isinstance(error, FileNotFoundError)):
                raise CommandError(f"Cannot list {what}: {describe(error)}.") from None
        return side

    def delete_extra(self, source, destination):
        """Delete what the destination has and the source does not; returns how many failed."""
        deleted = failed = 0
        for name in sorted(set(destination.files) - set(source.files)):
            try:
                destination.delete(name)
                deleted += 1
                self.note(2, f"deleted {name}")
            except STORAGE_ERRORS as error:
                failed += 1
                self.fail(name, error)
        self.note(1, f"deleted {deleted}")
        return failed

    def note(self, verbosity, message):
        if self.verbosity >= verbosity:
            with tqdm.external_write_mode():
                self.stdout.write(message)

    def fail(self, name, error):
        with tqdm.external_write_mode():
            self.stderr.write(f"failed {name}: {describe(error)}")
