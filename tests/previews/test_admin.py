"""The previews in the admin (previews/admin.py): each image's thumbnail first in the list, its
large preview on its page, other files' kinds in words; a list costs the queries it cost without
previews, and asks the storage nothing."""

import re
from collections import Counter
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags

from previews.admin import PreviewsMixin, enable
from previews.models import Preview
from tests.helpers import images as pictures
from tests.helpers.admin import ADD_URL, CHANGELIST
from tests.helpers.changelist import result_rows
from tests.helpers.previews import uploaded
from tests.helpers.traffic import record_traffic
from tests.helpers.uploads import upload
from uploader.admin import UploadedFileAdmin
from uploader.models import UploadedFile

pytestmark = pytest.mark.django_db

PHOTO = pictures.photo(600, 400)
THUMBNAIL = re.compile(r"<img [^>]*>")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run ``action`` and what it left for after the commit: the previews are made then."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def attributes(tag):
    return {name: unescape(value) for name, value in re.findall(r'(\w+)="([^"]*)"', tag)}


def change_page(client, row):
    return client.get(f"{CHANGELIST}{row.pk}/change/").content.decode()


def large_preview(page):
    found = re.search(
        r'<div class="[^"]*field-large_preview[^"]*">(.*?)</div>\s*</div>', page, re.S
    )
    return found and found[1]


# The list


def test_the_list_shows_each_image_s_thumbnail_first(admin_client, committed):
    committed(uploaded, "photo.jpg", PHOTO)

    [row] = result_rows(admin_client.get(CHANGELIST))

    assert list(row)[:2] == ["preview", "name"]
    [tag] = THUMBNAIL.findall(row["preview"])
    assert attributes(tag) == {
        "src": default_storage.url(".previews/photo.jpg/thumbnail.webp"),
        "alt": "Preview of photo.jpg",
        "width": "128",
        "height": "85",
        "class": "previews-thumbnail",
        "loading": "lazy",
    }


def test_the_name_stays_the_link_to_the_row_s_page(admin_client, committed):
    committed(uploaded, "photo.jpg", PHOTO)
    row = UploadedFile.objects.get()

    [cells] = result_rows(admin_client.get(CHANGELIST))

    assert f'href="{CHANGELIST}{row.pk}/change/' in cells["name"]
    assert "change/" not in cells["preview"]


KINDS = {
    "report.pdf": "PDF",
    "clip.mp4": "video",
    "song.mp3": "audio",
    "archive.zip": "ZIP archive",
    "backup.tar.gz": "gzip archive",
    "letter.docx": "Word document",
    "notes.txt": "text",
    "data.bin": "file",
    "photo.heic": "HEIC image",
}


def test_other_kinds_of_files_show_what_they_are(admin_client):
    UploadedFile.objects.bulk_create([upload(name) for name in KINDS])

    rows = result_rows(admin_client.get(CHANGELIST))

    assert {strip_tags(row["name"]): row["preview"] for row in rows} == {
        name: f'<span class="previews-kind">{kind}</span>' for name, kind in KINDS.items()
    }


def test_an_image_that_got_no_preview_shows_its_kind(admin_client, committed):
    committed(uploaded, "bomb.png", pictures.png_claiming(100_000, 100_000))

    [row] = result_rows(admin_client.get(CHANGELIST))

    assert row["preview"] == '<span class="previews-kind">PNG image</span>'


def test_a_file_replaced_behind_the_admin_s_back_shows_no_thumbnail_of_the_old_one(
    admin_client, committed
):
    committed(uploaded, "photo.jpg", PHOTO)
    UploadedFile.objects.update(file="other.jpg")  # no signal: its previews are not made yet

    [row] = result_rows(admin_client.get(CHANGELIST))

    assert row["preview"] == '<span class="previews-kind">JPEG image</span>'


# The change page


def test_the_change_page_shows_the_large_preview(admin_client, committed):
    row = committed(uploaded, "photo.jpg", PHOTO)

    page = change_page(admin_client, row)

    [tag] = THUMBNAIL.findall(large_preview(page))
    assert attributes(tag) == {
        "src": default_storage.url(".previews/photo.jpg/large.webp"),
        "alt": "Preview of photo.jpg",
        "width": "600",
        "height": "400",
        "class": "previews-large",
    }
    assert re.search(r"<label>Preview:</label>", page)


def test_the_change_page_of_another_kind_of_file_shows_no_picture(admin_client, committed):
    row = committed(uploaded, "report.pdf", b"%PDF-1.4")

    assert "<img" not in large_preview(change_page(admin_client, row))


def test_the_add_page_has_no_preview(admin_client):
    assert "large_preview" not in admin_client.get(ADD_URL).content.decode()


def test_a_model_admin_with_its_own_fields_or_fieldsets_gets_the_preview(admin_user):
    class OwnFields(UploadedFileAdmin):
        fields = ["file"]

    class OwnFieldsets(UploadedFileAdmin):
        fieldsets = [("The file", {"fields": ["file"]})]

    request = RequestFactory().get("/")
    request.user = admin_user
    row = upload("photo.jpg")
    for admin_class in (OwnFields, OwnFieldsets):
        site = admin.AdminSite(name="fresh")
        site.register(UploadedFile, admin_class)
        enable(site)

        model_admin = site._registry[UploadedFile]

        assert model_admin.get_fieldsets(request, row)[-1] == (None, {"fields": ["large_preview"]})
        assert "large_preview" not in flatten_fieldsets(model_admin.get_fieldsets(request))


# Styles: from the app's stylesheet, never inline (the Content-Security-Policy forbids them)


def test_the_pages_link_the_previews_stylesheet_and_carry_no_inline_style(admin_client, committed):
    row = committed(uploaded, "photo.jpg", PHOTO)

    for page in (admin_client.get(CHANGELIST).content.decode(), change_page(admin_client, row)):
        assert '<link href="/static/previews/previews.css" media="all" rel="stylesheet">' in page
        assert not re.search(r"<img [^>]*style=", page)


# What a list costs


def hundred_with_previews():
    """A hundred images as a long-used site has them, each with its previews recorded."""
    rows = UploadedFile.objects.bulk_create([upload(f"photo-{n:03}.jpg") for n in range(100)])
    model = ContentType.objects.get_for_model(UploadedFile)
    Preview.objects.bulk_create(
        Preview(
            model=model,
            object_id=str(row.pk),
            field="file",
            name=row.file.name,
            thumbnail=f".previews/{row.file.name}/thumbnail.webp",
            thumbnail_width=128,
            thumbnail_height=96,
            large=f".previews/{row.file.name}/large.webp",
            large_width=800,
            large_height=600,
        )
        for row in rows
    )


def list_page(model_admin, user):
    """The list's page as ``model_admin`` renders it for ``user``, and its queries."""
    request = RequestFactory().get(CHANGELIST)
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        response = model_admin.changelist_view(request)
        response.render()
    return response.content.decode(), len(queries)


def before_previews(admin_class):
    """The model admin's class as it was before enable() gave it the PreviewsMixin."""
    wrapper = next(c for c in admin_class.__mro__ if c.__bases__[:1] == (PreviewsMixin,))
    return wrapper.__bases__[1]


def test_a_page_of_a_hundred_costs_the_queries_it_cost_without_previews(admin_user):
    hundred_with_previews()
    with_previews = admin.site._registry[UploadedFile]
    without_previews = before_previews(type(with_previews))(UploadedFile, admin.site)
    assert not isinstance(without_previews, PreviewsMixin)
    assert isinstance(without_previews, UploadedFileAdmin)
    list_page(with_previews, admin_user)  # content types and permissions, once

    page, queries = list_page(with_previews, admin_user)
    plain_page, plain_queries = list_page(without_previews, admin_user)

    assert page.count('class="previews-thumbnail"') == 100
    assert "previews-thumbnail" not in plain_page
    assert queries == plain_queries


def test_a_page_of_a_hundred_costs_what_a_page_of_one_does(admin_client, committed):
    committed(uploaded, "photo.jpg", PHOTO)
    admin_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as one:
        admin_client.get(CHANGELIST)
    hundred_with_previews()

    with CaptureQueriesContext(connection) as hundred:
        page = admin_client.get(CHANGELIST)

    assert page.content.decode().count('class="previews-thumbnail"') == 100  # a page's worth
    assert len(hundred) == len(one)


# Every storage operation that reaches the disk or the network.
STORAGE_IO = ["open", "save", "delete", "exists", "listdir", "size", "path"]


def test_a_page_of_a_hundred_asks_the_storage_nothing(admin_client, anywhere, monkeypatch):
    hundred_with_previews()
    admin_client.get(CHANGELIST)  # sessions, permissions and the storage's client set up once
    storage, calls = storages["default"], Counter()
    for name in [*STORAGE_IO, "url"]:
        method = getattr(storage, name)

        def counted(*args, _name=name, _method=method, **kwargs):
            calls[_name] += 1
            return _method(*args, **kwargs)

        monkeypatch.setattr(storage, name, counted)
    traffic = record_traffic(monkeypatch)

    page = admin_client.get(CHANGELIST).content.decode()

    assert page.count('class="previews-thumbnail"') == 100
    assert traffic == []
    assert calls == Counter(url=200)  # each thumbnail's and each link's, computed


# Sorting: the columns keep their numbers


def sort_links(page):
    """The sort parameter of each sortable column's header link, by column."""
    return dict(
        # (Django 6.1 gives the link role="button".)
        re.findall(
            r'class="sortable column-(\w+)[^"]*">.*?<a (?:role="button" )?href="\?o=([^"]*)"',
            page,
            re.S,
        )
    )


def test_the_sort_parameter_numbers_the_columns_as_without_the_preview(admin_client):
    UploadedFile.objects.bulk_create(
        [upload("b.txt", size=1), upload("a.txt", size=3), upload("c.txt", size=2)]
    )

    by_name = admin_client.get(CHANGELIST, {"o": "1"})
    by_size = admin_client.get(CHANGELIST, {"o": "-2"})

    assert [strip_tags(row["name"]) for row in result_rows(by_name)] == ["a.txt", "b.txt", "c.txt"]
    assert [strip_tags(row["name"]) for row in result_rows(by_size)] == ["a.txt", "c.txt", "b.txt"]
    links = sort_links(by_name.content.decode())
    assert links["name"] == "-1"  # sorted by it: the link turns it round
    assert links["size_display"] == "2.1"
    assert "preview" not in links


def test_the_numbers_change_for_nothing_else(admin_client):
    UploadedFile.objects.bulk_create([upload("a.txt"), upload("b.txt")])

    page = admin_client.get(CHANGELIST, {"o": "x.-1", "p": "1"})

    assert page.status_code == 200
    assert [strip_tags(row["name"]) for row in result_rows(page)] == ["b.txt", "a.txt"]
