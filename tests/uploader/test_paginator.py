"""The list's paginator: exact counts while they are cheap, estimates past that on PostgreSQL,
and only as many pages of an estimated list as the sort's index can skip to quickly."""

import pytest
from django.core.paginator import EmptyPage
from django.db import connection

from tests.helpers.uploads import upload
from uploader.models import UploadedFile
from uploader.paginator import Estimate, LargeListPaginator, LowerBound

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's only: set DATABASE_URL (CI does)"
)


class SmallPaginator(LargeListPaginator):
    exact_up_to = 10
    max_pages = 2


def paginator(count):
    UploadedFile.objects.bulk_create(upload(f"file-{number}.txt") for number in range(count))
    return SmallPaginator(UploadedFile.objects.order_by("pk"), per_page=5)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1_234_567, "about 1,200,000"), (987, "about 990"), (42, "about 42"), (1001, "about 1,000")],
)
def test_an_estimate_is_shown_as_one_to_two_significant_figures(value, shown):
    assert str(Estimate(value)) == shown


def test_a_lower_bound_is_shown_as_what_it_exceeds():
    assert str(LowerBound(1001)) == "more than 1,000"


def test_an_estimate_is_a_number():
    assert Estimate(1001) + 1 == 1002


@pytest.mark.django_db
def test_a_list_no_longer_than_the_limit_is_counted_exactly():
    assert type(paginator(10).count) is int


@pytest.mark.django_db
@on_postgresql
def test_a_longer_list_is_estimated():
    assert isinstance(paginator(11).count, Estimate)


@pytest.mark.django_db
@on_postgresql
def test_an_estimated_list_offers_at_most_max_pages():
    assert paginator(30).num_pages == 2


@pytest.mark.django_db
@on_postgresql
def test_a_page_past_those_offered_is_empty():
    with pytest.raises(EmptyPage):
        paginator(30).page(3)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL estimates")
def test_other_databases_count_and_page_every_list():
    assert paginator(30).num_pages == 6


@pytest.mark.django_db
def test_a_later_page_holds_the_rows_that_follow():
    pages = paginator(12)
    pks = list(UploadedFile.objects.order_by("pk").values_list("pk", flat=True))
    assert list(pages.page(2).object_list.values_list("pk", flat=True)) == pks[5:10]
