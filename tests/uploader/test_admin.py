"""The tutorial's test (6.4.1) as a user does it: log in, add an UploadedFile, open its link."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from uploader.models import UploadedFile

ADD_URL = "/admin/uploader/uploadedfile/add/"
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


@pytest.mark.django_db
def test_media_is_not_served_without_debug(admin_client):
    upload(admin_client)
    assert admin_client.get(UploadedFile.objects.get().file.url).status_code == 404
