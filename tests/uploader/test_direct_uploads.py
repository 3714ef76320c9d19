"""Direct uploads in a real browser: from Chromium straight to the bucket (moto) or container
(Azurite), with a progress bar, a cancel, and the classic form where the storage refuses."""

import pytest
from azure.storage.blob import CorsRule
from django.core.signals import request_started
from playwright.sync_api import expect

from myapp.storage.models import Upload
from tests.helpers.browser import log_in, throttle_uploads
from tests.helpers.files import sha256, write_random_file
from tests.helpers.stores import Bucket
from uploader.models import UploadedFile

pytestmark = pytest.mark.browser
ADD = "/admin/uploader/uploadedfile/add/"
CHANGELIST = "/admin/uploader/uploadedfile/"
MiB = 1024 * 1024
# What the web server may receive for a direct upload: the form and the signing requests.
FEW_HUNDRED_KIB = 300 * 1024


@pytest.fixture
def received():
    """The request body bytes the web server receives from now on, request by request."""
    sizes = []

    def count(sender, environ, **kwargs):
        sizes.append(int(environ.get("CONTENT_LENGTH") or 0))

    request_started.connect(count)
    yield sizes
    request_started.disconnect(count)


@pytest.fixture
def progress(page):
    """What the progress bar showed, as the page's script changed it."""
    shown = []
    page.on("console", lambda message: shown.append(message.text))
    page.add_init_script(
        """addEventListener("DOMContentLoaded", () => {
            const bar = document.querySelector(".direct-upload-progress progress");
            const status = document.querySelector(".direct-upload-status");
            if (bar) new MutationObserver(() => console.log(`${bar.value}|${status.textContent}`))
                .observe(status, {childList: true, characterData: true, subtree: true});
        })"""
    )
    return shown


def allow_origin(bucket, origin):
    bucket.client.put_bucket_cors(
        Bucket=bucket.name,
        CORSConfiguration={
            "CORSRules": [
                {"AllowedOrigins": [origin], "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]}
            ]
        },
    )


@pytest.fixture
def cors_bucket(s3_bucket, live_server):
    """The default storage on a bucket whose CORS rules allow the site, as direct uploads need."""
    allow_origin(s3_bucket, live_server.url)
    return Bucket(s3_bucket)


@pytest.fixture
def cors_container(azure_container, azurite, live_server):
    """The default storage on an Azurite container, its service allowing the site (CORS)."""
    service = azurite.client()
    service.set_service_properties(
        cors=[CorsRule([live_server.url], ["PUT"], allowed_headers=["*"], max_age_in_seconds=60)]
    )
    yield azure_container
    service.set_service_properties(cors=[])


def choose_and_save(page, path):
    page.goto(ADD)
    page.set_input_files("input[name=file]", path)
    page.click("input[name=_save]")


@pytest.mark.django_db(transaction=True)
def test_a_large_file_goes_straight_to_the_bucket_with_a_progress_bar(
    page, admin_user, cors_bucket, tmp_path, received, progress
):
    video = tmp_path / "holiday video.mp4"
    sent = write_random_file(video, 48)
    log_in(page, admin_user)
    throttle_uploads(page, 40 * MiB)  # a fast line, but not instantaneous

    choose_and_save(page, video)

    expect(page.locator(".messagelist")).to_contain_text("was added successfully", timeout=60_000)
    uploaded = UploadedFile.objects.get()
    assert cors_bucket.names() == {uploaded.file.name}
    assert (
        sha256(
            cors_bucket.bucket.client.get_object(
                Bucket=cors_bucket.bucket.name, Key=uploaded.file.name
            )["Body"].iter_chunks(MiB)
        )
        == sent
    )
    assert (uploaded.name, uploaded.size, uploaded.content_type) == (
        "holiday video.mp4",
        48 * MiB,
        "video/mp4",
    )
    assert uploaded.uploaded_by == admin_user
    assert sum(received) < FEW_HUNDRED_KIB
    assert any(" s left" in shown for shown in progress)
    assert any(shown.startswith("100|100% · 48.0 MB of 48.0 MB") for shown in progress)
    assert not Upload.objects.exists()
    page.screenshot_as("direct-s3-saved")


@pytest.mark.django_db(transaction=True)
def test_a_large_file_goes_straight_to_the_azure_container(
    page, admin_user, cors_container, tmp_path, received
):
    video = tmp_path / "video.mp4"
    sent = write_random_file(video, 48)
    log_in(page, admin_user)

    choose_and_save(page, video)

    expect(page.locator(".messagelist")).to_contain_text("was added successfully", timeout=60_000)
    uploaded = UploadedFile.objects.get()
    blob = cors_container.client.get_blob_client(uploaded.file.name)
    assert sha256(blob.download_blob().chunks()) == sent
    assert blob.get_blob_properties().content_settings.content_type == "video/mp4"
    assert sum(received) < FEW_HUNDRED_KIB


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_upload_leaves_nothing(page, admin_user, cors_bucket, tmp_path):
    video = tmp_path / "video.mp4"
    write_random_file(video, 48)
    log_in(page, admin_user)
    throttle_uploads(page, 4 * MiB)

    choose_and_save(page, video)
    expect(page.locator(".direct-upload-status")).to_contain_text("% ·")
    page.click(".direct-upload-cancel")

    expect(page.locator(".direct-upload-progress")).to_be_hidden()
    expect(page.locator("input[name=_save]")).to_be_enabled()
    assert page.url.endswith(ADD)
    assert cors_bucket.names() == set()  # no object, and no multipart upload in progress
    assert not Upload.objects.exists()
    assert not UploadedFile.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_bucket_refusing_the_site_gets_the_file_through_the_server(
    page, admin_user, s3_bucket, tmp_path, received
):
    allow_origin(s3_bucket, "https://another-site.example.com")
    photo = tmp_path / "photo.jpg"
    sent = write_random_file(photo, 3)
    log_in(page, admin_user)

    choose_and_save(page, photo)

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    uploaded = UploadedFile.objects.get()
    assert Bucket(s3_bucket).names() == {uploaded.file.name}
    assert sha256([Bucket(s3_bucket).read(uploaded.file.name)]) == sent
    assert max(received) > 3 * MiB  # the classic form, with the file
    assert not Upload.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_classic_form_works(
    browser, live_server, admin_user, cors_bucket, tmp_path
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 not much of a photo")
    log_in(page, admin_user)

    choose_and_save(page, photo)

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    uploaded = UploadedFile.objects.get()
    assert cors_bucket.read(uploaded.file.name) == photo.read_bytes()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_an_over_size_file_is_refused_before_it_is_sent(
    page, admin_user, cors_bucket, settings, tmp_path
):
    settings.UPLOAD_MAX_SIZE = "1M"
    big = tmp_path / "big.bin"
    write_random_file(big, 2)
    log_in(page, admin_user)

    choose_and_save(page, big)

    expect(page.locator(".errorlist")).to_contain_text(
        "big.bin is 2.0\xa0MB; files may be at most 1.0\xa0MB."
    )
    assert cors_bucket.names() == set()
    assert not Upload.objects.exists()
    assert not UploadedFile.objects.exists()
