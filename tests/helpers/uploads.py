"""Rows of uploads in bulk, as a media library used for years has them, for the tests of the
admin's list and for bench/changelist.py.

The rows are written straight into the table (COPY on PostgreSQL, batches of INSERTs elsewhere),
without files in storage: the list never opens one. The same count and seed give the same rows.
"""

import io
import random
from datetime import timedelta

from django.db import connections, transaction
from django.utils import timezone

from myapp.storage.content_types import served_content_type

# (share of uploads, extensions, smallest and largest size in bytes) for each kind of file.
KINDS = {
    "image": (45, ["jpg", "jpeg", "png", "gif", "webp", "heic"], 20_000, 12_000_000),
    "document": (30, ["pdf", "docx", "xlsx", "pptx", "odt", "txt", "csv", "md"], 2_000, 8_000_000),
    "video": (5, ["mp4", "mov", "webm"], 2_000_000, 2_000_000_000),
    "audio": (5, ["mp3", "wav", "ogg", "m4a"], 500_000, 80_000_000),
    "archive": (5, ["zip", "tar.gz", "tar", "7z", "tar.xz", "tar.bz2"], 10_000, 900_000_000),
    "other": (10, ["json", "bin", "iso", "woff2", "ttf", "sql"], 100, 500_000_000),
}
# The words of the names, as one string: a list of them would take a line each.
WORDS = (  # noqa: SIM905
    "annual report invoice holiday photo budget meeting notes draft final contract summer "
    "winter spring autumn team logo banner product catalogue press release interview podcast "
    "episode trailer backup export data survey results slides menu poster flyer brochure "
    "manual guide recipe wedding birthday conference keynote workshop training clip song demo "
    "mix screenshot scan receipt statement plan floor map site launch campaign newsletter "
    "portrait landscape office garden kitchen beach mountain city night party concert festival "
    "minutes agenda proposal quote order delivery payroll timesheet schedule roadmap design "
    "mockup wireframe sketch render model texture font theme archive dump logs config"
).split()
USERS = ["alice", "bob", "carol", "dave", "erin"]
# Uploads made before the uploader recorded who made them.
ANONYMOUS_SHARE = 0.02
SPAN = timedelta(days=5 * 365)
COLUMNS = ["file", "name", "size", "content_type", "uploaded_at", "uploaded_by_id"]


def file_name(rng, number, extension):
    """A name as people give files: words, a date or a camera's counter, an extension."""
    style = rng.random()
    if style < 0.3 and extension in {"jpg", "jpeg", "heic", "mp4", "mov"}:
        day = f"{rng.randrange(2018, 2026)}{rng.randrange(1, 13):02}{rng.randrange(1, 29):02}"
        return f"IMG_{day}_{number:07}.{extension}"
    words = rng.sample(WORDS, rng.randrange(1, 4))
    if style < 0.6:
        words.append(str(rng.randrange(2015, 2026)))
    separator = rng.choice(["-", "_", " "])
    stem = separator.join(word.capitalize() if rng.random() < 0.3 else word for word in words)
    return f"{stem}{separator}{number}.{extension}"


def upload(name, **fields):
    """An unsaved UploadedFile called ``name``, described as the uploader describes a stored
    file, with ``fields`` instead where given; no file is stored."""
    from uploader.models import UploadedFile

    described = {
        "file": name,
        "name": name,
        "size": 1000,
        "content_type": served_content_type(name),
    }
    return UploadedFile(**{**described, **fields})


def upload_rows(count, user_ids, *, seed=0, now=None):
    """Yield ``count`` rows (values for COLUMNS), spread over five years up to ``now``, oldest
    first as a table fills, by the users in ``user_ids`` and a few by nobody."""
    rng = random.Random(f"{seed}-{count}")  # noqa: S311 - made-up rows, not secrets
    now = now or timezone.now()
    kinds = list(KINDS.values())
    weights = [share for share, *_ in kinds]
    for number in range(count):
        _, extensions, smallest, largest = rng.choices(kinds, weights)[0]
        extension = rng.choice(extensions)
        name = file_name(rng, seed + number, extension)
        # Sizes spread evenly over orders of magnitude, as files' sizes are.
        size = round(smallest * (largest / smallest) ** rng.random())
        uploaded_at = now - SPAN * (1 - (number + rng.random()) / count)
        user = None if rng.random() < ANONYMOUS_SHARE else rng.choice(user_ids)
        yield (name, name, size, served_content_type(name), uploaded_at, user)


def insert_uploads(rows, using="default", batch=10_000):
    """Write ``rows`` (from upload_rows) into the uploads' table."""
    from uploader.models import UploadedFile

    connection = connections[using]
    table = UploadedFile._meta.db_table
    rows = ((*row[:4], connection.ops.adapt_datetimefield_value(row[4]), row[5]) for row in rows)
    # One transaction for all of them: SQLite would otherwise write each row to disk on its own.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
            for chunk in chunks(rows, batch):
                cursor.cursor.copy_expert(copy, io.StringIO("".join(map(copy_line, chunk))))
        else:
            values = ", ".join(["%s"] * len(COLUMNS))
            insert = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({values})"  # noqa: S608 - no input
            for chunk in chunks(rows, batch):
                cursor.executemany(insert, chunk)


def chunks(rows, size):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def copy_line(row):
    """One row in COPY's text format, for values without a tab, newline or backslash."""
    return "\t".join(r"\N" if value is None else str(value) for value in row) + "\n"
