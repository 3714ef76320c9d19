"""Copying every file of one storage into another, several at a time (``copymedia``)."""

from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import NamedTuple

from django.core.exceptions import SuspiciousFileOperation
from storages.backends.azure_storage import AzureStorage
from storages.backends.s3 import S3Storage

from myapp.storage.buckets import Bucket
from myapp.storage.checksums import identical
from myapp.storage.containers import Container
from myapp.storage.errors import STORAGE_ERRORS
from myapp.storage.folders import Folder
from myapp.storage.transfer import CopyError

# Files in flight at a time, as rclone's 4 transfers. Here one job both compares a file (rclone
# has 8 checkers for that) and copies it; the parts of a large file travel in parallel anyway,
# and more threads than that contend for the interpreter (docs/benchmarks.md).
DEFAULT_JOBS = 4
# What makes one file fail without stopping the others: the storages' errors, a name that one
# storage allows and the other refuses, and a copy the service reported as failed.
FILE_ERRORS = (SuspiciousFileOperation, CopyError, *STORAGE_ERRORS)


def open_side(storage):
    """Return the Side (``transfer.Side``) for ``storage``."""
    if isinstance(storage, S3Storage):
        return Bucket(storage)
    if isinstance(storage, AzureStorage):
        return Container(storage)
    return Folder(storage)


class Outcome(NamedTuple):
    name: str
    copied: bool  # False: skipped, identical already
    error: Exception | None = None


def copy_file(source, destination, name, progress):
    """Copy the file ``name`` unless the destination has it identical; return whether copied."""
    if name in destination.files and identical(source, destination, name):
        progress(source.files[name].size)
        return False
    destination.write(name, source, progress)
    return True


def copy_files(source, destination, names, jobs=DEFAULT_JOBS, progress=lambda size: None):
    """Copy the files ``names`` from the Side ``source`` to ``destination``, ``jobs`` at a time;
    yield an Outcome for each as it ends, naming the error that made it fail."""
    # The largest first: they take longest, and none is left to travel alone at the end.
    names = sorted(names, key=lambda name: source.files[name].size, reverse=True)
    with ThreadPoolExecutor(jobs, thread_name_prefix="copymedia") as executor:
        futures = {
            executor.submit(copy_file, source, destination, name, progress): name for name in names
        }
        try:
            for future in as_completed(futures):
                try:
                    yield Outcome(futures[future], future.result())
                except FILE_ERRORS as error:
                    yield Outcome(futures[future], False, error)
        finally:
            # Interrupted: the files under way end, no other one starts.
            executor.shutdown(cancel_futures=True)
