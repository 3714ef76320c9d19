"""Direct uploads in a real browser: from Chromium straight to the bucket (moto, SeaweedFS) or the
container (Azurite), each file a row with its progress, several at once from the list or the add
page, through the server where the storage refuses the site or without the script."""

import pytest
from django.core.signals import request_started
from playwright.sync_api import expect

from myapp.models import NameReservation
from tests.directuploads.browser import (
    ADD,
    CHANGELIST,
    MiB,
    allow_origin,
    choose_and_save,
    drop_files,
    rows_text,
    uploads_in,
)
from tests.helpers.browser import log_in, png, throttle_uploads
from tests.helpers.files import read_stored, sha256, write_random_file
from tests.helpers.stores import Bucket
from uploader.models import UploadedFile

pytestmark = pytest.mark.browser
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
def shown(page):
    """What the files' rows said, as the page's script changed them."""
    said = []
    page.on(
        "console", lambda message: message.text.startswith("row|") and said.append(message.text)
    )
    page.add_init_script(
        """addEventListener("DOMContentLoaded", () => {
            new MutationObserver((changes) => changes.forEach((change) => {
                const row = change.target.parentElement && change.target.parentElement.closest
                    && change.target.parentElement.closest(".direct-upload-file");
                if (row) console.log(`row|${row.querySelector("progress").value}|` +
                    row.querySelector(".direct-upload-state").textContent);
            })).observe(document.body, {childList: true, characterData: true, subtree: true});
        })"""
    )
    return said


@pytest.fixture
def cors_bucket(s3_bucket, live_server):
    """The default storage on a bucket whose CORS rules allow the site, as direct uploads need."""
    allow_origin(s3_bucket, live_server.url)
    return Bucket(s3_bucket)


@pytest.mark.django_db(transaction=True)
def test_a_large_file_goes_straight_to_the_bucket_with_a_progress_bar(
    page, admin_user, cors_bucket, tmp_path, received, shown
):
    video = tmp_path / "holiday video.mp4"
    sent = write_random_file(video, 48)
    log_in(page, admin_user)
    throttle_uploads(page, 40 * MiB)  # a fast line, but not instantaneous

    choose_and_save(page, video)

    expect(page.locator(".messagelist")).to_contain_text("was added successfully", timeout=60_000)
    uploaded = UploadedFile.objects.get()
    assert uploads_in(cors_bucket) == {uploaded.file.name}
    stored = cors_bucket.bucket.client.get_object(
        Bucket=cors_bucket.bucket.name, Key=uploaded.file.name
    )
    assert sha256(stored["Body"].iter_chunks(MiB)) == sent
    assert (uploaded.name, uploaded.size, uploaded.content_type) == (
        "holiday video.mp4",
        48 * MiB,
        "video/mp4",
    )
    assert uploaded.uploaded_by == admin_user
    assert sum(received) < FEW_HUNDRED_KIB
    assert any(" s left" in text for text in shown)
    assert any(text.startswith("row|100|Sending: 100% · 48.0 MB of 48.0 MB") for text in shown)
    assert not NameReservation.objects.exists()
    page.screenshot_as("direct-s3-saved")


@pytest.mark.django_db(transaction=True)
def test_a_large_file_goes_straight_to_the_azure_container(
    page, admin_user, cors_container, tmp_path, received
):
    video = tmp_path / "video.mp4"
    sent = write_random_file(video, 20)
    log_in(page, admin_user)

    choose_and_save(page, video)

    expect(page.locator(".messagelist")).to_contain_text("was added successfully", timeout=60_000)
    uploaded = UploadedFile.objects.get()
    blob = cors_container.client.get_blob_client(uploaded.file.name)
    assert sha256(blob.download_blob().chunks()) == sent
    assert blob.get_blob_properties().content_settings.content_type == "video/mp4"
    assert sum(received) < FEW_HUNDRED_KIB


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_upload_leaves_nothing_and_says_so(page, admin_user, cors_bucket, tmp_path):
    video = tmp_path / "video.mp4"
    write_random_file(video, 48)
    log_in(page, admin_user)
    throttle_uploads(page, 4 * MiB)

    choose_and_save(page, video)
    expect(page.locator(".direct-upload-state")).to_contain_text("% ·")
    expect(page.locator("input[name=_save]")).to_be_disabled()
    expect(page.locator("input[name=file]")).to_be_disabled()
    page.click(".direct-upload-cancel-file")

    expect(page.locator(".direct-upload-state")).to_have_text("Cancelled")
    expect(page.locator(".direct-upload-file progress")).to_be_hidden()
    expect(page.locator("input[name=_save]")).to_be_enabled()
    expect(page.locator("input[name=file]")).to_be_focused()
    assert page.url.endswith(ADD)
    page.wait_for_timeout(500)  # the abort's request
    assert cors_bucket.names() == set()  # no object, and no multipart upload in progress
    assert not NameReservation.objects.exists()
    assert not UploadedFile.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_bucket_refusing_the_site_gets_the_file_through_the_server_with_its_progress(
    page, admin_user, s3_bucket, tmp_path, received, shown
):
    allow_origin(s3_bucket, "https://another-site.example.com")
    photo = tmp_path / "photo.jpg"
    sent = write_random_file(photo, 3)
    log_in(page, admin_user)

    choose_and_save(page, photo)

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    uploaded = UploadedFile.objects.get()
    assert uploads_in(Bucket(s3_bucket)) == {uploaded.file.name}
    assert sha256([Bucket(s3_bucket).read(uploaded.file.name)]) == sent
    assert max(received) > 3 * MiB  # the form, with the file
    assert any("Sending through the server: " in text for text in shown)
    assert not NameReservation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_several_files_go_through_the_server_a_row_each(
    browser, live_server, admin_user, tmp_path
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    files = []
    for number in range(3):
        path = tmp_path / f"photo-{number}.png"
        path.write_bytes(png(20 + number, 10, 3))
        files.append(path)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    log_in(page, admin_user)

    page.goto(CHANGELIST)
    page.set_input_files(".direct-upload-list input[name=file]", [*files, empty])
    page.click(".direct-upload-list input[name=_save]")

    expect(page.locator(".messagelist")).to_contain_text(
        "3 files added: photo-0.png, photo-1.png, photo-2.png."
    )
    # (The admin's messages start with a capital letter, whatever the file's name.)
    expect(page.locator(".messagelist .error")).to_contain_text(
        "empty.txt: The submitted file is empty.", ignore_case=True
    )
    rows = UploadedFile.objects.order_by("name")
    assert [row.name for row in rows] == ["photo-0.png", "photo-1.png", "photo-2.png"]
    assert [read_stored(row.file) for row in rows] == [f.read_bytes() for f in files]
    context.close()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_one_file_of_the_add_form_works_as_before(
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
def test_an_over_size_or_empty_file_is_refused_as_soon_as_it_is_chosen(
    page, admin_user, cors_bucket, settings, tmp_path
):
    settings.UPLOAD_MAX_SIZE = "1M"
    big, empty = tmp_path / "big.bin", tmp_path / "empty.txt"
    write_random_file(big, 2)
    empty.write_bytes(b"")
    log_in(page, admin_user)
    page.goto(ADD)

    page.set_input_files("input[name=file]", [big, empty])

    # Where Django puts a field's errors, with its banner, said to a screen reader.
    errors = page.locator(".form-row.field-file.errors > ul.errorlist")
    expect(errors).to_contain_text("big.bin is 2.0\xa0MB; files may be at most 1.0\xa0MB.")
    expect(errors).to_contain_text("empty.txt is empty.")
    expect(page.locator("p.errornote[role=alert]")).to_have_text("Please correct the errors below.")
    expect(page.locator("input[name=file]")).to_have_attribute("aria-invalid", "true")
    assert rows_text(page) == [
        "Refused: big.bin is 2.0\xa0MB; files may be at most 1.0\xa0MB.",
        "Refused: empty.txt is empty.",
    ]
    page.click("input[name=_save]")  # nothing to send: the form is not posted
    expect(page.locator("input[name=file]")).to_be_focused()
    assert page.url.endswith(ADD)
    assert cors_bucket.names() == set()
    assert not NameReservation.objects.exists()
    assert not UploadedFile.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_file_dropped_beside_the_drop_zone_leaves_the_page_where_it_is(
    page, admin_user, cors_bucket, tmp_path
):
    photo = tmp_path / "photo.png"
    photo.write_bytes(png(10, 10, 1))
    log_in(page, admin_user)
    page.goto(CHANGELIST)

    drop_files(page, "#site-name", [photo])

    page.wait_for_timeout(300)
    assert page.url.endswith(CHANGELIST)
    assert not UploadedFile.objects.exists()
