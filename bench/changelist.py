"""The admin's list of uploads with many rows, against the same list with 100: every way a person
uses it.

    .venv/bin/python -m bench.changelist [--rows 10000] [--repeat 20] [--quick]

Each case is a request a person makes: the first page; a search by a word and by a fragment of a
name; a search too short to run (it must cost nothing); each sortable column in both directions;
the deepest page the list links to (page 100 of a million rows, see uploader/paginator.py); each
kind of file; each date filter; a search and a filter, sorted by another column.

Each is requested through Django's test client, logged in as an admin, with the project's
settings as in production (DEBUG off), in two databases that Django creates and drops (SQLite
files, or PostgreSQL's ``test_<name>`` and ``test_<name>_baseline`` when DATABASE_URL names one):
one with ``--rows`` uploads (tests/helpers/uploads.py), and one with the 100 that the request
shows there, so that both pages show the same rows and only the size of the table differs.
Rendering a row costs more than finding it: against a baseline of 100 uploads of every kind, a
filter for videos would show 5 rows there and 100 here, and time the rendering.

The two databases take turns, a few requests each, so that both see the same load from whatever
else the machine runs. ``CASE ratio=R`` is the ratio of the median times; ``queries=`` counts the
queries of one request, ``shown=`` the rows on the page. On PostgreSQL the tables are vacuumed
and analysed once written, as autovacuum leaves a table in use.
"""

import argparse
import os
import re
import time

from bench import common
from tests.helpers.changelist import filter_link, shown_ids
from tests.helpers.uploads import COLUMNS, USERS, insert_uploads, upload_rows
from uploader.kinds import Kind

ROWS_BASELINE = 100
TIME_TARGET, QUERY_TARGET = 1.5, 5
CHANGELIST_URL = "/admin/uploader/uploadedfile/"
# The columns of UploadedFileAdmin.list_display that sort, by their position in it.
SORTS = {"name": 1, "size": 2, "content-type": 3, "uploaded": 4, "uploader": 5}
SEARCHES = {
    # A word in about one name in fifty.
    "search": "wedding",
    # Part of a camera's file counter: a few hundred names in a million.
    "search-fragment": "0999",
    # Too short for the trigram index: not run, with a message saying why.
    "search-short": "ab",
}
DATES = {"today": "Today", "week": "Past 7 days", "month": "This month", "year": "This year"}
# The two databases take turns this many times in each case: short turns, so that a burst of
# load from elsewhere falls on both.
ROUNDS = 10
# The admin's password hash in both databases, one that no password matches ("!"): the same value
# in both, so that one session, which is bound to it, is valid in both.
UNUSABLE = "!bench"


class Databases:
    """The large list's database and the baseline's, both created from the project's
    migrations; ``use(database)`` points the default connection at one of them."""

    def __init__(self, folder):
        from django.db import connection

        self.connection = connection
        self.original = connection.settings_dict["NAME"]
        self.names = {}
        for database in ("large", "baseline"):
            suffix = "" if database == "large" else "_baseline"
            connection.settings_dict["NAME"] = self.original
            connection.settings_dict["TEST"]["NAME"] = (
                f"test_{self.original}{suffix}"
                if connection.vendor == "postgresql"
                else str(folder / f"test{suffix}.sqlite3")
            )
            self.names[database] = connection.creation.create_test_db(verbosity=0, serialize=False)

    def use(self, database):
        self.connection.close()
        self.connection.settings_dict["NAME"] = self.names[database]

    def log_in(self, client):
        """Log ``client`` in as the admin of both databases, with one session."""
        from django.contrib.auth.models import User
        from django.contrib.sessions.models import Session

        self.use("large")
        client.force_login(User.objects.get(username=common.ADMIN_USER))
        session = Session.objects.get(pk=client.session.session_key)
        self.use("baseline")
        session.save(force_insert=True)

    def destroy(self):
        for database in self.names:
            self.use(database)
            self.connection.creation.destroy_test_db(self.original, verbosity=0)


def cases(page):
    """``{case: query string}``, the date filters' and the deepest page's as the first page
    links them."""
    queries = {"first-page": ""}
    queries.update({case: f"q={term}" for case, term in SEARCHES.items()})
    for column, number in SORTS.items():
        queries[f"sort-{column}"] = f"o={number}"
        queries[f"sort-{column}-desc"] = f"o=-{number}"
    pages = [int(number) for number in re.findall(r'href="\?p=(\d+)"', page.content.decode())]
    queries["deep-page"] = f"p={max(pages, default=1)}"
    queries.update({f"kind-{kind}": f"kind={kind}" for kind in Kind.values})
    for case, title in DATES.items():
        queries[f"date-{case}"] = filter_link(page, title)
    # And what a person does next: sort what they found, the largest images first, say.
    queries["search-sorted"] = f"q={SEARCHES['search']}&o=1"
    queries["kind-sorted-by-size"] = "kind=image&o=-2"
    queries["kind-sorted-by-type"] = "kind=image&o=3"
    return queries


def vacuum():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE uploader_uploadedfile")


def fill_baseline(databases, rows):
    """Make the baseline database's uploads ``rows`` (values for COLUMNS), and nothing else."""
    from django.db import connection

    databases.use("baseline")
    with connection.cursor() as cursor:
        # Not through the model, which would delete the rows' files, which were never stored.
        cursor.execute("DELETE FROM uploader_uploadedfile")
    insert_uploads(rows)
    vacuum()


def timed_requests(client, url, count):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return times


def measure(databases, client, query, repeat):
    """``{database: (median seconds, queries, rows shown)}`` for the list at ``query``.

    The baseline holds the rows the large list shows, on its first page: the deepest page of
    the large list is the only page of the baseline.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from uploader.models import UploadedFile

    first_page = re.sub(r"(^|&)p=\d+", "", query)
    urls = {"large": f"{CHANGELIST_URL}?{query}", "baseline": f"{CHANGELIST_URL}?{first_page}"}
    databases.use("large")
    ids = shown_ids(client.get(urls["large"]))
    fill_baseline(databases, list(UploadedFile.objects.filter(pk__in=ids).values_list(*COLUMNS)))
    times = {database: [] for database in urls}
    rounds = min(ROUNDS, repeat)
    for _ in range(rounds):
        for database, url in urls.items():
            databases.use(database)
            client.get(url)  # a new connection's first request fills its caches
            times[database] += timed_requests(client, url, repeat // rounds)
    results = {}
    for database, url in urls.items():
        databases.use(database)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        results[database] = (common.median(times[database]), len(queries), len(shown_ids(page)))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the large list (10000)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per case, median (20)")
    args = common.parse_arguments(parser, "1,000 rows, 2 requests", rows=1000, repeat=2)
    with common.scratch_folder("changelist") as folder:
        database = os.environ.get("DATABASE_URL", f"sqlite:///{folder}/db.sqlite3")
        environ = common.site_environment(folder, f"file://{folder}/media/?url=%2Fmedia%2F")
        os.environ.update({**environ, "DATABASE_URL": database})
        common.prepare_static_files(environ)
        run(args, folder)


def run(args, folder):
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client

    databases = Databases(folder)
    try:
        for database in databases.names:
            databases.use(database)
            User.objects.create(
                username=common.ADMIN_USER, password=UNUSABLE, is_staff=True, is_superuser=True
            )
            user_ids = [User.objects.create_user(name).pk for name in USERS]
        databases.use("large")
        start = time.perf_counter()
        insert_uploads(upload_rows(args.rows, user_ids))
        vacuum()
        print(f"# {args.rows} rows written in {time.perf_counter() - start:.0f} s", flush=True)
        client = Client(HTTP_HOST="127.0.0.1")
        databases.log_in(client)
        queries = cases(client.get(CHANGELIST_URL))
        for case, query in queries.items():
            results = measure(databases, client, query, args.repeat)
            (large_time, large_queries, large_shown), (small_time, small_queries, small_shown) = (
                results["large"],
                results["baseline"],
            )
            common.report(
                f"changelist-{case}",
                large_time / small_time,
                TIME_TARGET,
                rows=f"{args.rows}/{ROWS_BASELINE}",
                time=f"{common.seconds(large_time)}/{common.seconds(small_time)}",
                queries=f"{large_queries}/{small_queries}",
                query_target=QUERY_TARGET,
                queries_verdict="met" if large_queries <= QUERY_TARGET else "MISSED",
                shown=f"{large_shown}/{small_shown}",
                database=connection.vendor,
                runs=args.repeat,
            )
    finally:
        databases.destroy()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "myapp.settings")
    main()
