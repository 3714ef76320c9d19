"""The tutorial's test (6.4.1) as a user does it: log in, add an UploadedFile, open its link."""

import gzip
import html
import re

import pytest
import requests
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import dateformat, timezone
from django.utils.html import strip_tags

from tests.helpers.changelist import result_rows
from tests.helpers.s3 import S3_SERVERS
from tests.helpers.stores import Bucket
from uploader.models import UploadedFile

ADD_URL = "/admin/uploader/uploadedfile/add/"
CHANGELIST = "/admin/uploader/uploadedfile/"
CONTENT = b"%PDF-1.4 not quite a report\n" + bytes(range(256)) * 64


def upload(client, name="report.pdf", content=CONTENT):
    return client.post(ADD_URL, {"file": SimpleUploadedFile(name, content)})


def served_bytes(response):
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_an_admin_upload_is_stored_listed_and_served(admin_client, media_dir, debug_urls):
    response = upload(admin_client)
    assert response.status_code == 302, response.content.decode()[:2000]

    uploaded = UploadedFile.objects.get()
    assert (media_dir / uploaded.file.name).read_bytes() == CONTENT

    change_page = admin_client.get(f"/admin/uploader/uploadedfile/{uploaded.pk}/change/")
    links = re.findall(r'href="(/media/[^"]+)"', change_page.content.decode())
    assert links == [f"/media/{uploaded.file.name}"]

    response = admin_client.get(links[0])
    assert response.status_code == 200
    assert served_bytes(response) == CONTENT


@pytest.mark.django_db
def test_an_anonymous_upload_stores_nothing(client, media_dir):
    response = upload(client)
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert not UploadedFile.objects.exists()
    assert not media_dir.exists() or not any(media_dir.iterdir())


# The list shows what each file is (tests/uploader/test_changelist.py: the list at large)


def served(client, url):
    """The bytes a browser keeps from a link, and the headers it got them with: local media
    through Django, S3 from the bucket."""
    if url.startswith("http"):
        response = requests.get(url, timeout=10)  # decodes a Content-Encoding, as browsers do
        return response.content, response.headers
    response = client.get(url)
    return served_bytes(response), response.headers


def opened(client, url):
    return served(client, url)[0]


@pytest.mark.django_db
def test_the_list_shows_what_each_file_is_and_its_link_opens(admin_client, stored, debug_urls):
    upload(admin_client)
    uploaded = UploadedFile.objects.get()

    [row] = result_rows(admin_client.get(CHANGELIST))

    assert re.fullmatch(r'<a href="[^"]+">report\.pdf</a>', row["name"])
    assert row["size_display"] == "16.0\xa0KB"
    assert row["content_type"] == "application/pdf"
    assert row["uploaded_at"] == dateformat.format(
        timezone.localtime(uploaded.uploaded_at), settings.DATETIME_FORMAT
    )
    assert row["uploaded_by"] == "admin"
    # One name per row: the file column opens it and copies its link.
    assert strip_tags(row["link"]) == "Open Copy link"
    link = html.unescape(
        re.search(r'<a href="([^"]+)" aria-label="Open report\.pdf"', row["link"])[1]
    )
    assert html.unescape(re.search(r'data-link="([^"]+)"', row["link"])[1]) == link
    assert link == uploaded.file.url
    assert opened(admin_client, link) == CONTENT == stored.read("report.pdf")


@pytest.mark.django_db
def test_a_compressed_file_opens_as_the_bytes_uploaded(admin_client, stored, debug_urls):
    """Served with the Content-Encoding its name implies, an archive would reach the browser
    decompressed: a tar under the name backup.tar.gz."""
    archive = gzip.compress(b"a tar archive, as far as anyone here can tell\n" * 100)
    upload(admin_client, "backup.tar.gz", archive)
    uploaded = UploadedFile.objects.get()

    [row] = result_rows(admin_client.get(CHANGELIST))
    content, headers = served(admin_client, uploaded.file.url)

    assert row["content_type"] == headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in headers
    assert content == archive == stored.read(uploaded.file.name)


@pytest.mark.django_db
def test_the_change_page_shows_the_details_read_only(admin_client):
    upload(admin_client)
    page = admin_client.get(f"{CHANGELIST}{UploadedFile.objects.get().pk}/change/").content.decode()
    for field, label, value in [
        ("name", "Name", "report.pdf"),
        ("size_display", "Size", "16.0\xa0KB"),
        ("content_type", "Content type", "application/pdf"),
    ]:
        # Each field's row, whichever way the Django version lays out its label, help and value.
        row = re.search(
            rf'<div class="form-row field-{field}">(.*?)(?=<div class="form-row|</fieldset)',
            page,
            re.S,
        )
        assert row, f"no row for {field}"
        assert f"<label>{label}:</label>" in row[1]
        assert f'<div class="readonly">{value}</div>' in row[1]


# The size limit


@pytest.fixture
def uploads_in_progress(settings, tmp_path):
    """Where Django keeps an upload while receiving it: every file over 100 bytes goes there."""
    folder = tmp_path / "uploads-in-progress"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    return folder


@pytest.mark.django_db
def test_an_over_size_upload_is_a_form_error_and_nothing_is_stored(
    admin_client, settings, stored, uploads_in_progress
):
    settings.UPLOAD_MAX_SIZE = "2K"

    response = upload(admin_client, "big.bin", b"x" * 2049)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["file"]
    assert errors == ["big.bin is 2.0\xa0KB; files may be at most 2.0\xa0KB."]
    assert html.escape(errors[0]) in response.content.decode()
    assert not UploadedFile.objects.exists()
    assert stored.names() == set()
    assert list(uploads_in_progress.iterdir()) == []


@pytest.mark.django_db
def test_an_upload_of_exactly_the_limit_is_stored(admin_client, settings, stored):
    settings.UPLOAD_MAX_SIZE = "2K"
    assert upload(admin_client, "fits.bin", b"x" * 2048).status_code == 302
    assert stored.read("fits.bin") == b"x" * 2048


# Hostile names, as a malicious client sends them (Django's test client would clean them first)


def post_file(client, filename, content, content_type="application/octet-stream"):
    boundary = "hostile-name-boundary"
    disposition = f'Content-Disposition: form-data; name="file"; filename="{filename}"'
    body = (
        f"--{boundary}\r\n{disposition}\r\nContent-Type: {content_type}\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.generic(
        "POST", ADD_URL, body, content_type=f"multipart/form-data; boundary={boundary}"
    )


HOSTILE = [
    "../../etc/passwd",
    "/etc/passwd",
    "..\\..\\Windows\\System32\\drivers\\etc\\hosts",
    "&#x2e;&#x2e;&#x2f;&#x2e;&#x2e;&#x2f;escaped.txt",
    "nul\x00byte.txt",
    "x" * 300 + ".pdf",
    "履" * 300 + ".pdf",
    "invoice\u202efdp.exe",
    "résumé 履歴書 ملف.pdf",
    "<img src=x onerror=alert(1)>.txt",
    "page.html",
    "image.svg",
]


# The names reach either storage alike; a bucket gets those that test the key and the content type.
ON_S3 = ["../../etc/passwd", "/etc/passwd", "履" * 300 + ".pdf", "page.html"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stored", "filename"),
    [("file", name) for name in HOSTILE]
    + [(server, name) for server in S3_SERVERS for name in ON_S3],
    indirect=["stored"],
)
def test_hostile_names_are_stored_safely_inside_the_storage(
    admin_client, stored, tmp_path, media_dir, debug_urls, filename
):
    content = b"<script>alert(document.cookie)</script>" + bytes(range(256))

    response = post_file(admin_client, filename, content, content_type="text/html")

    assert response.status_code == 302, response.content.decode()[:2000]
    uploaded = UploadedFile.objects.get()
    name = uploaded.file.name
    assert stored.names() == {name}
    assert stored.read(name) == content
    assert re.fullmatch(r"[\w.-]+", name)
    assert not name.startswith((".", "-"))
    assert len(name) <= 100
    assert len(name.encode()) <= 255
    assert {p for p in tmp_path.rglob("*") if p.is_file()} <= set(media_dir.rglob("*"))
    if filename.endswith((".html", ".svg")):
        assert name.endswith(".txt")
        assert uploaded.content_type == "text/plain"
        assert stored.content_type(name) in {None, "text/plain"}  # not the text/html claimed
        if not isinstance(stored, Bucket):
            assert admin_client.get(uploaded.file.url)["Content-Type"] == "text/plain"
    assert "<img src=x" not in admin_client.get(CHANGELIST).content.decode()
