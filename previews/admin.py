"""The previews in the admin: a thumbnail first in each list, the large preview on the change page.

``enable(site)`` gives every model admin of ``site`` whose model has file fields the
PreviewsMixin; the app does it once the admin has found every admin module (PreviewsConfig.ready),
so that the apps with files never name this one.

A list costs what it cost without previews: the names and sizes of each row's previews come in
the list's own query (a subquery of previews_preview, by its unique index), and each link is
computed by the storage (``storage.url``), which asks no server for file, S3 or Azure storage.
"""

import functools
import math
from contextlib import contextmanager

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ORDER_VAR
from django.db.models import CharField, JSONField, OuterRef, Subquery
from django.db.models.functions import Cast, JSONObject
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from myapp.storage.admin import extend_file_admins
from myapp.storage.content_types import served_content_type
from previews.kinds import kind
from previews.models import Preview
from previews.signals import file_fields

CSS = "previews/previews.css"
# The list's column and the change page's read-only field: methods of the mixin.
COLUMN, FIELD = "preview", "large_preview"
# The attribute of each listed row that holds a file field's previews: {"thumbnail": name, ...}.
ANNOTATION = "_previews_{}"
PREVIEW_FIELDS = [
    "thumbnail",
    "thumbnail_width",
    "thumbnail_height",
    "large",
    "large_width",
    "large_height",
]


def enable(site):
    """Give each model admin of ``site`` whose model has a file field the PreviewsMixin."""
    extend_file_admins(site, PreviewsMixin)


def with_previews(queryset):
    """Return ``queryset`` with the previews of each row's files, in the same query.

    Only those of the file each field names now: a file replaced shows none until its own are
    made.
    """
    opts = queryset.model._meta.concrete_model._meta
    annotations = {}
    for field in file_fields(queryset.model):
        previews = Preview.objects.filter(
            model__app_label=opts.app_label,
            model__model=opts.model_name,
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            field=field.name,
            name=OuterRef(field.attname),
        ).values(previews=JSONObject(**{name: name for name in PREVIEW_FIELDS}))
        annotations[ANNOTATION.format(field.name)] = Subquery(
            previews[:1], output_field=JSONField()
        )
    return queryset.annotate(**annotations)


def previews_of(obj, field):
    """Return the previews of the file ``obj`` names in ``field``, or None if it has none."""
    attribute = ANNOTATION.format(field.name)
    if attribute not in obj.__dict__:  # a row not read by the model admin's own queryset
        rows = with_previews(type(obj)._base_manager.filter(pk=obj.pk))
        setattr(obj, attribute, rows.values_list(attribute, flat=True).first())
    return getattr(obj, attribute)


class PreviewsMixin:
    """For a ModelAdmin with file fields: each file's thumbnail in the list, its preview on the
    change page, and its kind in words where it has none."""

    @property
    def media(self):
        return super().media + forms.Media(css={"all": [CSS]})

    def get_queryset(self, request):
        return with_previews(super().get_queryset(request))

    def get_list_display(self, request):
        list_display = super().get_list_display(request)
        return list_display if COLUMN in list_display else [COLUMN, *list_display]

    def get_changelist(self, request, **kwargs):
        return numbered_without_previews(super().get_changelist(request, **kwargs))

    def get_list_display_links(self, request, list_display):
        # The first of the model admin's own columns stays the link to each row's page.
        own = [column for column in list_display if column != COLUMN]
        return super().get_list_display_links(request, own)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, FIELD] if obj is not None and FIELD not in readonly else readonly

    def get_fieldsets(self, request, obj=None):
        # A model admin's own fields or fieldsets leave the preview out.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and FIELD not in flatten_fieldsets(fieldsets):
            fieldsets = [*fieldsets, (None, {"fields": [FIELD]})]
        return fieldsets

    @admin.display(description="preview")
    def preview(self, obj):
        return format_html_join(
            " ", "{}", ((thumbnail(obj, field),) for field in file_fields(type(obj)))
        )

    @admin.display(description="preview")
    def large_preview(self, obj):
        return format_html_join(
            " ", "{}", ((large(obj, field),) for field in file_fields(type(obj)))
        )


@functools.cache
def numbered_without_previews(changelist_class):
    """Return ``changelist_class`` with the ColumnNumbersMixin."""
    return type(changelist_class.__name__, (ColumnNumbersMixin, changelist_class), {})


class ColumnNumbersMixin:
    """For a ChangeList: its sort parameter numbers the columns as if the preview were not there.

    ``?o=1`` sorts by the model admin's first own column with this app as without it, so that the
    admin's links and bookmarks, and the tests of the app with files, keep their meaning. The
    preview's column sorts nothing.
    """

    def get_ordering(self, request, queryset):
        with self._numbered_with_previews():
            return super().get_ordering(request, queryset)

    def get_ordering_field_columns(self):
        with self._numbered_with_previews():
            return super().get_ordering_field_columns()

    def get_query_string(self, new_params=None, remove=None):
        # The column headers' links, made from the columns' places in the list.
        if new_params and new_params.get(ORDER_VAR) is not None:
            new_params = {**new_params, ORDER_VAR: renumber(new_params[ORDER_VAR], self._number)}
        return super().get_query_string(new_params, remove)

    @contextmanager
    def _numbered_with_previews(self):
        params = self.params
        if params.get(ORDER_VAR):
            self.params = {**params, ORDER_VAR: renumber(params[ORDER_VAR], self._place)}
        try:
            yield
        finally:
            self.params = params

    def _place(self, number):
        """Return the place in the list of the column ``number``."""
        return number + 1 if number >= self._preview_place() else number

    def _number(self, place):
        """Return the number of the column at ``place`` in the list."""
        return place - 1 if place > self._preview_place() else place

    def _preview_place(self):
        return self.list_display.index(COLUMN) if COLUMN in self.list_display else math.inf


def renumber(value, change):
    """Return the sort parameter ``value`` (``2.-1``) with each column number changed."""
    parts = []
    for part in value.split("."):
        _, sign, number = part.rpartition("-")
        parts.append(f"{sign}{change(int(number))}" if number.isdigit() else part)
    return ".".join(parts)


def thumbnail(obj, field):
    """Return the thumbnail of the file of ``obj`` in ``field``, or what kind of file it is."""
    name = getattr(obj, field.attname).name
    if not name:
        return ""
    previews = previews_of(obj, field)
    if not (previews and previews["thumbnail"]):
        return format_html('<span class="previews-kind">{}</span>', kind(served_content_type(name)))
    return image(field, name, previews, "thumbnail")


def large(obj, field):
    """Return the large preview of the file of ``obj`` in ``field``, or nothing."""
    name = getattr(obj, field.attname).name
    previews = name and previews_of(obj, field)
    if not (previews and previews["large"]):
        return ""
    return image(field, name, previews, "large")


def image(field, name, previews, size):
    """Return the <img> of the preview ``size`` ("thumbnail" or "large") of the file ``name``."""
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" class="previews-{}"{}>',
        field.storage.url(previews[size]),
        f"Preview of {name.rpartition('/')[2]}",
        previews[f"{size}_width"],
        previews[f"{size}_height"],
        size,
        # A list's thumbnails load as they scroll into view.
        mark_safe(' loading="lazy"') if size == "thumbnail" else "",
    )
