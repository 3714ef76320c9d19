"""The admin's pages of a list that may hold millions of uploads."""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext


class Estimate(int):
    """An estimated count: a number to compute with, shown as "about 1,000,000"."""

    def __str__(self):
        # Two significant figures: the planner's estimate is no closer than that.
        rounded = round(int(self), 2 - len(str(int(self))))
        return gettext("about %(count)s") % {"count": number_format(rounded, force_grouping=True)}


class LowerBound(Estimate):
    """A count known only to be at least its value, shown as "more than 1,000" for 1,001."""

    def __str__(self):
        return gettext("more than %(count)s") % {
            "count": number_format(int(self) - 1, force_grouping=True)
        }


class LargeListPaginator(Paginator):
    """Count a list exactly while that is cheap, estimate it past that, and page it by index.

    On PostgreSQL, at most ``exact_up_to`` rows are counted; a longer list's count is the
    planner's estimate (an Estimate, or a LowerBound where the planner expects fewer rows than
    were counted), and only its first ``max_pages`` pages are offered: a person reaches the
    others by sorting the other way, searching or filtering. Other databases count exactly, as
    Django does.
    """

    exact_up_to = 1_000
    max_pages = 100

    @cached_property
    def count(self):
        queryset = self.object_list.order_by()
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        counted = queryset[: self.exact_up_to + 1].count()
        if counted <= self.exact_up_to:
            return counted
        [plan] = json.loads(queryset.values("pk").explain(format="json"))
        planned = round(plan["Plan"]["Plan Rows"])
        return Estimate(planned) if planned > counted else LowerBound(counted)

    @cached_property
    def num_pages(self):
        pages = super().num_pages
        return min(pages, self.max_pages) if isinstance(self.count, Estimate) else pages

    def _get_page(self, object_list, number, paginator):
        # The page's ids first, then its rows by id: the rows the sort's index reads past (those
        # of earlier pages, and those a search or filter rejects) need only their ids, and often
        # nothing but the index itself, so the table is read for the page's rows alone.
        return super()._get_page(
            self.object_list.filter(pk__in=object_list.values("pk")), number, paginator
        )
