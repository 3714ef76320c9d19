"""A stored file lives exactly as long as the row that names it.

- A deleted row (one, a bulk delete, a cascade) or a replaced file: the old file is deleted from
  storage once the transaction commits, so a rollback keeps it with its row. Django itself never
  deletes a file.
- A file stored by a save that then fails: deleted again at once, as no row will name it.

Written here rather than taken from django-cleanup, which does the first part well but builds
the default storage while Django loads its apps (to note the storage's class): a
DEFAULT_STORAGE_DSN with an unknown scheme would then stop every command with a bare KeyError
before the check myapp.E002 could name the mistake. The second part no library does: Django has a
hook for a commit, none for a rollback.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

logger = logging.getLogger(__name__)

# The files stored inside delete_stored_files_on_error(), as (storage, name).
_stored_files = ContextVar("uploader_stored_files", default=None)


def delete(storage, name):
    """Delete a file, logging a failure instead of raising it.

    By now its row is gone or was never written, and whatever made that so is the error that
    matters.
    """
    try:
        storage.delete(name)
    except Exception:
        logger.exception("Could not delete %s from storage", name)


def delete_after_commit(storage, name, using):
    transaction.on_commit(lambda: delete(storage, name), using=using)


def stored(storage, name):
    """Note a file just stored, for the delete_stored_files_on_error() block around it."""
    files = _stored_files.get()
    if files is not None:
        files.append((storage, name))


@contextmanager
def delete_stored_files_on_error():
    """Delete the files stored inside this block if the block raises.

    Wrapped around a whole transaction (the admin's), it leaves no file without a row when any
    step after the file was stored fails, the commit included. Blocks nest: what an inner block
    stored is the outer block's to delete too.
    """
    outer = _stored_files.get()
    files = []
    token = _stored_files.set(files)
    try:
        yield
    except BaseException:
        for storage, name in files:
            delete(storage, name)
        raise
    finally:
        _stored_files.reset(token)
    if outer is not None:
        outer.extend(files)
