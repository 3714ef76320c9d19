"""The admin's list of uploads as a person uses it: sorted by each column both ways, searched,
filtered by kind and date, paged and counted, in a few queries whatever the table holds
(bench/changelist.py measures the time at a million rows)."""

import re
from datetime import timedelta

import pytest
from botocore.httpsession import URLLib3Session
from django.contrib.auth.models import User
from django.core.files.storage import storages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.helpers.admin import CHANGELIST
from tests.helpers.changelist import (
    filter_link,
    result_count,
    result_rows,
    shown_ids,
    shown_names,
)
from tests.helpers.stores import count_calls
from tests.helpers.uploads import upload
from uploader.models import UploadedFile
from uploader.paginator import LargeListPaginator

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's only: set DATABASE_URL (CI does)"
)


def add(*uploads):
    return UploadedFile.objects.bulk_create(uploads)


@pytest.fixture
def estimated(monkeypatch):
    """Lists of more than ten rows are estimated, as lists of more than a thousand are."""
    monkeypatch.setattr(LargeListPaginator, "exact_up_to", 10)


# Sorting


@pytest.fixture
def ties(admin_user):
    """Six uploads, each two alike in every sortable column."""
    other = User.objects.create_user("bob")
    now = timezone.now()
    return add(
        *(
            upload(
                name,
                size=size,
                content_type=content_type,
                uploaded_at=now - timedelta(days=day),
                uploaded_by=user,
            )
            for name, size, content_type, day, user in [
                ("beta.txt", 20, "text/plain", 2, admin_user),
                ("alpha.txt", 10, "text/plain", 1, other),
                ("beta.txt", 30, "image/png", 3, other),
                ("gamma.txt", 10, "image/png", 2, admin_user),
                ("alpha.txt", 30, "video/mp4", 1, admin_user),
                ("delta.txt", 20, "video/mp4", 3, other),
            ]
        )
    )


COLUMNS = {
    1: lambda row: row.name,
    2: lambda row: row.size,
    3: lambda row: row.content_type,
    4: lambda row: row.uploaded_at,
    5: lambda row: row.uploaded_by_id,
}


@pytest.mark.django_db
@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("direction", ["", "-"])
def test_each_column_sorts_both_ways_and_breaks_ties_by_id_the_same_way(
    admin_client, ties, column, direction
):
    expected = sorted(ties, key=lambda row: (COLUMNS[column](row), row.pk))
    if direction:
        expected.reverse()
    page = admin_client.get(CHANGELIST, {"o": f"{direction}{column}"})
    assert shown_ids(page) == [row.pk for row in expected]


@pytest.mark.django_db
def test_every_column_but_the_link_sorts(admin_client):
    add(upload("report.pdf"))
    page = admin_client.get(CHANGELIST).content.decode()
    headers = re.findall(r'<th scope="col" class="([^"]*)"', page)
    sortable = {
        re.search(r"column-(\w+)", header)[1] for header in headers if "sortable" in header.split()
    }
    assert sortable == {"name", "size_display", "content_type", "uploaded_at", "uploaded_by"}


@pytest.mark.django_db
def test_the_newest_upload_comes_first(admin_client):
    now = timezone.now()
    add(
        upload("first.txt", uploaded_at=now - timedelta(days=2)),
        upload("third.txt", uploaded_at=now),
        upload("second.txt", uploaded_at=now - timedelta(days=1)),
    )
    assert shown_names(admin_client.get(CHANGELIST)) == ["third.txt", "second.txt", "first.txt"]


# Searching


@pytest.mark.django_db
def test_search_finds_files_by_any_part_of_their_name_in_any_case(admin_client):
    add(upload("alpha.txt"), upload("beta.txt"), upload("Alphabet.txt"))
    found = shown_names(admin_client.get(CHANGELIST, {"q": "LPHA"}))
    assert sorted(found) == ["Alphabet.txt", "alpha.txt"]


@pytest.mark.django_db
def test_a_short_term_narrows_a_search_for_a_longer_one(admin_client):
    add(upload("report-q3.pdf"), upload("report-q4.pdf"), upload("q3-plan.pdf"))
    assert shown_names(admin_client.get(CHANGELIST, {"q": "q3 report"})) == ["report-q3.pdf"]


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["ab", "a b", "a-b-c", "__"])
def test_a_search_without_three_letters_or_digits_in_a_row_finds_nothing(admin_client, term):
    add(upload("ab.txt"), upload("a b c.txt"), upload("a-b-c.txt"), upload("__init__.py"))
    assert shown_names(admin_client.get(CHANGELIST, {"q": term})) == []


@pytest.mark.django_db
def test_a_search_of_spaces_lists_everything(admin_client):
    add(upload("ab.txt"))
    assert shown_names(admin_client.get(CHANGELIST, {"q": "  "})) == ["ab.txt"]


@pytest.mark.django_db
def test_a_search_too_short_to_run_says_so(admin_client):
    page = admin_client.get(CHANGELIST, {"q": "ab"}).content.decode()
    assert (
        "Not searched: Any part of a name, with at least three letters or digits in a row." in page
    )


@pytest.mark.django_db
def test_a_search_too_short_to_run_reads_no_upload(admin_client):
    admin_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(CHANGELIST, {"q": "ab"})
    assert not [query for query in queries if "uploader_uploadedfile" in query["sql"]]


# Filtering

KINDS = {
    "image/jpeg": "image",
    "image/heic": "image",
    "video/mp4": "video",
    "video/quicktime": "video",
    "audio/mpeg": "audio",
    "application/pdf": "document",
    "text/plain": "document",
    "text/csv": "document",
    "application/msword": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.oasis.opendocument.presentation": "document",
    "application/gzip": "archive",
    "application/zip": "archive",
    "application/x-7z-compressed": "archive",
    "application/x-tar": "archive",
    "application/json": "other",
    "application/octet-stream": "other",
    "font/woff2": "other",
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(set(KINDS.values())))
def test_the_kind_filter_shows_the_files_of_that_kind(admin_client, kind):
    add(*(upload(content_type, content_type=content_type) for content_type in KINDS))
    found = shown_names(admin_client.get(CHANGELIST, {"kind": kind}))
    assert sorted(found) == sorted(name for name, its_kind in KINDS.items() if its_kind == kind)


@pytest.mark.django_db
def test_the_kinds_are_offered_in_the_filter(admin_client):
    page = admin_client.get(CHANGELIST)
    kinds = ["image", "video", "audio", "document", "archive", "other"]
    links = [filter_link(page, kind.capitalize()) for kind in kinds]
    assert links == [f"kind={kind}" for kind in kinds]


@pytest.fixture
def dated():
    now = timezone.now()
    return add(
        *(
            upload(f"{days}-days-old.txt", uploaded_at=now - timedelta(days=days))
            for days in [0, 3, 40, 400]
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("choice", "names"),
    [("Today", ["0-days-old.txt"]), ("Past 7 days", ["0-days-old.txt", "3-days-old.txt"])],
)
def test_the_date_filter_shows_the_files_uploaded_then(admin_client, dated, choice, names):
    query = filter_link(admin_client.get(CHANGELIST), choice)
    assert shown_names(admin_client.get(f"{CHANGELIST}?{query}")) == names


@pytest.mark.django_db
def test_filters_and_a_search_combine(admin_client):
    add(
        upload("holiday.jpg", content_type="image/jpeg"),
        upload("holiday.pdf", content_type="application/pdf"),
        upload("office.jpg", content_type="image/jpeg"),
    )
    page = admin_client.get(CHANGELIST, {"q": "holiday", "kind": "image"})
    assert shown_names(page) == ["holiday.jpg"]


# Pages and counts


def numbered(count, **fields):
    """``count`` uploads, each a second older than the one before, with ``fields``."""
    now = timezone.now()
    return add(
        *(
            upload(f"file-{number:03}.txt", uploaded_at=now - timedelta(seconds=number), **fields)
            for number in range(count)
        )
    )


@pytest.mark.django_db
def test_the_list_is_paginated_by_a_hundred(admin_client):
    numbered(101)
    assert len(shown_ids(admin_client.get(CHANGELIST))) == 100
    assert len(shown_ids(admin_client.get(CHANGELIST, {"p": 2}))) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("page", [2, 3])
@pytest.mark.parametrize(
    ("order", "reverse"),
    [("", False), ("-1", True), ("2", False)],
    ids=["newest first", "by name backwards", "by size, all alike"],
)
def test_a_later_page_shows_the_rows_that_follow_in_order(admin_client, page, order, reverse):
    pks = [row.pk for row in numbered(250)]
    expected = pks[::-1] if reverse else pks
    shown = shown_ids(admin_client.get(CHANGELIST, {"o": order, "p": page}))
    assert shown == expected[(page - 1) * 100 : page * 100]


@pytest.mark.django_db
def test_a_short_list_is_counted_exactly(admin_client):
    numbered(3)
    assert result_count(admin_client.get(CHANGELIST)) == "3 uploaded files"


@pytest.mark.django_db
@on_postgresql
def test_a_long_list_is_counted_by_estimate(admin_client, estimated):
    numbered(30)
    assert re.fullmatch(
        r"(about [\d,]+|more than 10) uploaded files", result_count(admin_client.get(CHANGELIST))
    )


@pytest.mark.django_db
@on_postgresql
def test_a_long_search_result_is_counted_by_estimate(admin_client, estimated):
    numbered(30)
    page = admin_client.get(CHANGELIST, {"q": "file"}).content.decode()
    assert re.search(r"(about [\d,]+|more than 10) results", page)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL estimates")
def test_other_databases_count_every_list_exactly(admin_client, estimated):
    numbered(30)
    assert result_count(admin_client.get(CHANGELIST)) == "30 uploaded files"


REQUESTS = {
    "first page": {},
    "search": {"q": "file"},
    "sorted": {"o": "-2"},
    "kind": {"kind": "document"},
    "deep page": {"p": 2},
    "everything at once": {"q": "file", "o": "1", "kind": "document", "p": 2},
}


@pytest.mark.django_db
@pytest.mark.parametrize("request_", REQUESTS.values(), ids=REQUESTS)
def test_a_page_costs_at_most_five_queries(admin_client, estimated, request_):
    numbered(150)
    admin_client.get(CHANGELIST)  # the session and permissions, once
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(CHANGELIST, request_)
    assert shown_ids(page)
    assert len(queries) <= 5


# Every storage operation that reaches the disk or the network.
STORAGE_IO = [
    "open",
    "save",
    "delete",
    "exists",
    "listdir",
    "size",
    "path",
    "get_accessed_time",
    "get_created_time",
    "get_modified_time",
]


def count_http_requests(monkeypatch):
    """Every HTTP request botocore sends, to any endpoint."""
    sent = []
    send = URLLib3Session.send
    monkeypatch.setattr(
        URLLib3Session,
        "send",
        lambda self, request: sent.append(request.url) or send(self, request),
    )
    return sent


def stored_rows(stored, count, uploaded_by=None):
    """``count`` rows with their files really stored, made in bulk as a long-used site has them."""
    rows = []
    for number in range(count):
        name = f"file-{number:03}.txt"
        stored.put(name, b"x" * number)
        rows.append(upload(name, size=number, uploaded_by=uploaded_by))
    add(*rows)


@pytest.mark.django_db
def test_a_page_of_a_hundred_costs_what_a_page_of_ten_does(
    admin_client, admin_user, stored, monkeypatch
):
    admin_client.get(CHANGELIST)  # sessions, permissions and storage set up once
    cost = {}
    for total in (10, 100):
        stored_rows(stored, total - UploadedFile.objects.count(), uploaded_by=admin_user)
        io = count_calls(monkeypatch, storages["default"], STORAGE_IO)
        urls = count_calls(monkeypatch, storages["default"], ["url"])
        http = count_http_requests(monkeypatch)
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(CHANGELIST)
        assert len(result_rows(page)) == total
        cost[total] = {"queries": len(queries), "storage I/O": sum(io.values()), "HTTP": len(http)}
        assert urls["url"] == total  # each link is computed, without I/O
        monkeypatch.undo()

    assert cost[10] == cost[100]
    assert cost[100]["storage I/O"] == cost[100]["HTTP"] == 0
    assert cost[100]["queries"] <= 5


# The indexes (PostgreSQL: the planner is told to avoid reading the whole table, and sorting, so
# that it shows which index can serve each request)

INDEXES = {
    "": "uploader_newest_first",
    "o=4": "uploader_newest_first",
    "o=-4": "uploader_newest_first",
    "o=1": "uploader_by_name",
    "o=-1": "uploader_by_name",
    "o=2": "uploader_by_size",
    "o=-2": "uploader_by_size",
    "o=3": "uploader_by_content_type",
    "o=-3": "uploader_by_content_type",
    "o=5": "uploader_by_uploader",
    "o=-5": "uploader_by_uploader",
    "kind=video": "uploader_kind_newest_first",
    "kind=video&o=2": "uploader_kind_by_size",
    "kind=video&o=-2": "uploader_kind_by_size",
    "kind=video&o=3": "uploader_kind_by_content_type",
    "kind=video&o=-3": "uploader_kind_by_content_type",
}


def list_queries(client, query):
    """The SQL of the queries of the list's page at ``query`` that read the uploads."""
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{CHANGELIST}?{query}")
    return [q["sql"] for q in queries if 'FROM "uploader_uploadedfile"' in q["sql"]]


def plan(sql, avoid=("seqscan", "sort", "incremental_sort")):
    """The plan of ``sql`` with the planner's ways in ``avoid`` made as costly as it allows."""
    with connection.cursor() as cursor:
        for way in avoid:
            cursor.execute(f"SET LOCAL enable_{way} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
@on_postgresql
@pytest.mark.parametrize(("query", "index"), INDEXES.items())
def test_each_order_and_filter_of_the_list_is_read_from_its_index(admin_client, query, index):
    numbered(101, content_type="video/mp4")  # more than a page: the page is a slice of it
    *_, page = list_queries(admin_client, query)
    assert f" using {index} on " in plan(page).lower()


@pytest.mark.django_db
@on_postgresql
@pytest.mark.parametrize("query", INDEXES)
def test_no_order_of_the_list_sorts_more_than_the_pages_rows(admin_client, query):
    numbered(101, content_type="video/mp4")
    *_, page = list_queries(admin_client, query)
    # What the page's limit takes its rows from comes in order: a sort there would sort every
    # row, where the sort above it has only the page's 100.
    assert re.search(r"Limit .*\n\s*->  (?!(Incremental )?Sort )", plan(page))


@pytest.mark.django_db
@on_postgresql
def test_a_search_is_counted_from_the_trigram_index(admin_client, estimated):
    numbered(30)
    count, *_ = list_queries(admin_client, "q=file")
    # Any other index would be read whole, the trigram index only for the term's trigrams.
    avoid = ["seqscan", "indexscan", "indexonlyscan"]
    assert "Bitmap Index Scan on uploader_name_trigram" in plan(count, avoid)


@pytest.mark.django_db
@on_postgresql
def test_a_deep_page_skips_rows_in_the_index_alone(admin_client):
    numbered(150)
    *_, page = list_queries(admin_client, "o=1&p=2")
    assert "Index Only Scan using uploader_by_name" in plan(page)
