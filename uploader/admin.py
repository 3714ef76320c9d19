import re

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html

from myapp.storage.admin import StorageErrorMessageMixin
from uploader.forms import UploadedFileForm
from uploader.kinds import KIND, Kind
from uploader.lifecycle import delete_stored_files_on_error
from uploader.models import UploadedFile
from uploader.paginator import LargeListPaginator

# What a trigram index can look for: three letters or digits in a row (uploader/operations.py).
SEARCHABLE = re.compile(r"[^\W_]{3}")


class KindFilter(admin.SimpleListFilter):
    """Images, videos, audio, documents, archives or other files (uploader/kinds.py)."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return Kind.choices

    def queryset(self, request, queryset):
        if self.value() in Kind.values:
            return queryset.alias(kind=KIND).filter(kind=self.value())
        return queryset


class UploadedFileChangeList(ChangeList):
    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        # The admin breaks ties by the newest first (-pk) whichever way a column is sorted; ties
        # broken in the column's own direction let one index (column, id), read forwards or
        # backwards, serve both directions.
        first = ordering[0]
        if ordering[-1] == "-pk" and isinstance(first, str) and not first.startswith("-"):
            ordering[-1] = "pk"
        return ordering


@admin.register(UploadedFile)
class UploadedFileAdmin(StorageErrorMessageMixin, admin.ModelAdmin):
    form = UploadedFileForm
    # Every column comes from the row itself (the link's URL is computed, never fetched), so a
    # page costs the same few queries and no storage call however many rows it shows.
    list_display = ["name", "size_display", "content_type", "uploaded_at", "uploaded_by", "link"]
    # Each sortable column has an index on (column, id) that serves both directions
    # (UploadedFile.Meta.indexes); the link is the stored name, which the name sorts by already.
    # The uploader sorts by account, as Django sorts a foreign key: the user model has no order.
    sortable_by = ["name", "size_display", "content_type", "uploaded_at", "uploaded_by"]
    # Django joins only non-null foreign keys by itself: without this, one query per row.
    list_select_related = ["uploaded_by"]
    # A date filter rather than date_hierarchy, which reads the date of every row of the list to
    # offer its years, months and days.
    list_filter = [KindFilter, ("uploaded_at", admin.DateFieldListFilter)]
    # On PostgreSQL, a trigram index on UPPER(name) finds any part of a name (migration 0003).
    search_fields = ["name"]
    search_help_text = "Any part of a name, with at least three letters or digits in a row."
    list_per_page = 100
    paginator = LargeListPaginator
    # A search counts its matches only, not the whole table a second time.
    show_full_result_count = False
    details = ["name", "size_display", "content_type", "uploaded_at", "uploaded_by"]

    class Media:
        css = {"all": ["uploader/uploads.css"]}
        js = ["uploader/copy-link.js"]

    def get_changelist(self, request, **kwargs):
        return UploadedFileChangeList

    def get_search_results(self, request, queryset, search_term):
        # Shorter terms are in most names, and no index finds them: the search would read every
        # row. Alongside a longer term they only narrow what the index found for it.
        if search_term.strip() and not SEARCHABLE.search(search_term):
            messages.warning(request, f"Not searched: {self.search_help_text}")
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        return self.details if obj else []

    @admin.display(description="size", ordering="size")
    def size_display(self, obj):
        return None if obj.size is None else filesizeformat(obj.size)

    @admin.display(description="file")
    def link(self, obj):
        # The name is in the first column already: one name per row.
        return format_html(
            '<a href="{url}" aria-label="Open {name}">Open</a> '
            '<button type="button" class="copy-link" data-link="{url}" '
            'aria-label="Copy the link to {name}">Copy link</button>',
            url=obj.file.url,
            name=obj.name,
        )

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, *args, **kwargs):
        # The admin saves inside a transaction of its own: if a later step or the commit fails,
        # the new file must go as its row does.
        with delete_stored_files_on_error():
            return super().changeform_view(request, *args, **kwargs)
