"""The admin's list of uploads with 10,000 rows, against the same list with 100.

    .venv/bin/python -m bench.changelist [--rows 10000] [--repeat 50] [--quick]

The page is requested in this process through Django's test client, logged in as an admin, with
the project's settings as in production (DEBUG off). The rows are written directly
(bulk_create), into a test database that Django creates and drops: SQLite in memory, or
PostgreSQL (``test_<name>``) when DATABASE_URL names one. ``changelist`` reports the ratio of the
median times and the number of queries of each page, which should be the same.
"""

import argparse
import os
import time

from bench.common import (
    ADMIN_USER,
    machine,
    median,
    prepare_static_files,
    report,
    scratch_folder,
    seconds,
    site_environment,
)

ROWS_BASELINE = 100
TIME_TARGET, QUERY_TARGET = 1.5, 5
CHANGELIST_URL = "/admin/uploader/uploadedfile/"


def add_rows(count, user):
    """``count`` more uploads, described as the uploader describes a stored file."""
    from uploader.models import UploadedFile

    # The uploader's model grows: only the fields it has are filled.
    fields = {field.name for field in UploadedFile._meta.get_fields()}
    start = UploadedFile.objects.count()
    rows = []
    for number in range(start, start + count):
        values = {
            "file": f"report-{number}.pdf",
            "name": f"report-{number}.pdf",
            "size": 1000 + number,
            "content_type": "application/pdf",
            "uploaded_by": user,
        }
        rows.append(UploadedFile(**{key: value for key, value in values.items() if key in fields}))
    UploadedFile.objects.bulk_create(rows, batch_size=1000)


def measure_page(client, repeat):
    """Median seconds for the list's first page, and the queries one request makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(CHANGELIST_URL)  # the first request of a process builds what later ones reuse
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(CHANGELIST_URL)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"the list answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(CHANGELIST_URL)
    return median(times), len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the large list (10000)")
    parser.add_argument("--repeat", type=int, default=50, help="requests per list, median (50)")
    parser.add_argument("--quick", action="store_true", help="1,000 rows, 5 requests")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeat = 1000, 5
    print(machine(), flush=True)
    with scratch_folder("changelist") as folder:
        database = os.environ.get("DATABASE_URL", f"sqlite:///{folder}/db.sqlite3")
        environ = site_environment(folder, f"file://{folder}/media/?url=%2Fmedia%2F")
        os.environ.update({**environ, "DATABASE_URL": database})
        prepare_static_files(environ)
        run(args)


def run(args):
    import django
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    database_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0)
    try:
        from django.contrib.auth.models import User

        user = User.objects.create_superuser(ADMIN_USER, "bench@example.com", "unused")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        add_rows(ROWS_BASELINE, user)
        small_time, small_queries = measure_page(client, args.repeat)
        add_rows(args.rows - ROWS_BASELINE, user)
        large_time, large_queries = measure_page(client, args.repeat)
    finally:
        connection.creation.destroy_test_db(database_name, verbosity=0)
    same = large_queries == small_queries <= QUERY_TARGET
    report(
        "changelist",
        large_time / small_time,
        TIME_TARGET,
        rows=f"{args.rows}/{ROWS_BASELINE}",
        time=f"{seconds(large_time)}/{seconds(small_time)}",
        queries=f"{large_queries}/{small_queries}",
        query_target=QUERY_TARGET,
        queries_verdict="met" if same else "MISSED",
        database=connection.vendor,
        runs=args.repeat,
    )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myapp.settings")
    main()
