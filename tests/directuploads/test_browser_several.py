"""Several files at once in Chromium, as a media library takes them: dropped on the list, pasted,
chosen on the add page; each a row with its own progress and Cancel, saved as a row of the
list each, a failed one listed with its reason while the others are saved."""

import hashlib

import pytest
from playwright.sync_api import expect

from tests.directuploads.browser import (
    ADD,
    CHANGELIST,
    MiB,
    allow_origin,
    drop_files,
    paste_files,
    rows_text,
    uploads_in,
)
from tests.helpers.browser import log_in, png
from tests.helpers.files import read_stored, write_random_file
from tests.helpers.stores import Bucket
from uploader.models import UploadedFile

pytestmark = pytest.mark.browser
LONG_NAME = "a-report-whose-name-goes-on-" + "and-on-" * 25 + "end.pdf"


@pytest.fixture
def cors_bucket(s3_bucket, live_server):
    allow_origin(s3_bucket, live_server.url)
    return Bucket(s3_bucket)


def mixed_files(folder, count=20):
    """``count`` files of every kind and size: images, documents, text, archives, two videos of
    several parts, one with a very long name."""
    files = []
    for number in range(count):
        kind = number % 5
        if kind == 0:
            path = folder / f"photo-{number}.png"
            path.write_bytes(png(30 + number, 20, number * 10))
        elif kind == 1:
            path = folder / f"notes {number}.txt"
            path.write_text(f"Notes {number}\n" * (100 * number + 1))
        elif kind == 2:
            path = folder / f"report-{number}.pdf"
            write_random_file(path, 1)
        elif kind == 3:
            path = folder / (LONG_NAME if number == 3 else f"archive-{number}.zip")
            path.write_bytes(hashlib.sha256(str(number).encode()).digest() * (number * 40))
        else:
            path = folder / f"video-{number}.mp4"
            write_random_file(path, 9 if number < 10 else 3)  # two parts, or one
        files.append(path)
    return files


def saved_rows(page, count, timeout=120_000):
    expect(page.locator('.direct-upload-file[data-state="saved"]')).to_have_count(
        count, timeout=timeout
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_mixed_files_dropped_on_the_list_become_twenty_rows_with_their_bytes(
    page, admin_user, cors_bucket, tmp_path
):
    files = mixed_files(tmp_path)
    log_in(page, admin_user)
    page.goto(CHANGELIST)
    bars = []
    page.on(
        "console",
        lambda message: message.text.startswith("bars|") and bars.append(message.text),
    )

    drop_files(page, ".direct-upload-zone", files)

    expect(page.locator(".direct-upload-file")).to_have_count(20)
    # Each file a row with a progress bar of its own, named for the file.
    for path in files:
        row = page.locator(".direct-upload-file").filter(has_text=path.name)
        expect(row.get_by_role("progressbar", name=f"Progress of {path.name}")).to_be_attached()
    saved_rows(page, 20)
    page.screenshot_as("twenty-saved")
    rows = {row.name: row for row in UploadedFile.objects.all()}
    assert sorted(rows) == sorted(path.name for path in files)
    for path in files:
        assert read_stored(rows[path.name].file) == path.read_bytes(), path.name
    assert {row.uploaded_by for row in rows.values()} == {admin_user}
    assert uploads_in(cors_bucket) == {row.file.name for row in rows.values()}  # nothing else
    # At 1280 px, long names and all, nothing goes past the page's width.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.click(".direct-upload-reload a")
    expect(page.locator("#result_list tbody tr")).to_have_count(20)


@pytest.mark.django_db(transaction=True)
def test_files_pasted_on_the_list_are_saved_too(page, admin_user, cors_bucket, tmp_path):
    files = mixed_files(tmp_path, 3)
    log_in(page, admin_user)
    page.goto(CHANGELIST)
    page.focus("#searchbar")

    paste_files(page, files)

    saved_rows(page, 3)
    assert sorted(UploadedFile.objects.values_list("name", flat=True)) == sorted(
        path.name for path in files
    )


@pytest.mark.django_db(transaction=True)
def test_with_file_storage_the_dropped_files_go_through_the_server_each_with_its_progress(
    page, admin_user, tmp_path
):
    files = mixed_files(tmp_path, 5)
    log_in(page, admin_user)
    page.goto(CHANGELIST)

    drop_files(page, ".direct-upload-zone", files)

    saved_rows(page, 5)
    rows = {row.name: row for row in UploadedFile.objects.all()}
    for path in files:
        assert read_stored(rows[path.name].file) == path.read_bytes()


@pytest.mark.django_db(transaction=True)
def test_on_the_add_page_a_failed_file_is_listed_with_its_reason_while_the_others_are_saved(
    page, admin_user, cors_bucket, tmp_path, settings
):
    small, other, big = tmp_path / "small.png", tmp_path / "other.png", tmp_path / "big.bin"
    small.write_bytes(png(10, 10, 1))
    other.write_bytes(png(12, 10, 1))
    write_random_file(big, 3)
    log_in(page, admin_user)
    page.goto(ADD)
    page.set_input_files("input[name=file]", [small, big, other])
    expect(page.locator(".direct-upload-file")).to_have_count(3)
    # The page has checked the files with the server, which found none too large...
    expect(page.locator(".direct-upload-status")).to_have_text("3 file(s) chosen.")
    assert rows_text(page) == ["Waiting", "Waiting", "Waiting"]
    settings.UPLOAD_MAX_SIZE = "2M"  # ...and lowers its limit before Save.

    page.click("input[name=_save]")

    failed = page.locator('.direct-upload-file[data-state="failed"]')
    expect(failed.locator(".direct-upload-name")).to_have_text("big.bin")
    expect(failed.locator(".direct-upload-state")).to_have_text(
        "Failed: big.bin is 3.0\xa0MB; files may be at most 2.0\xa0MB."
    )
    expect(failed.locator("progress")).to_be_hidden()  # no stale bar
    saved_rows(page, 2)
    expect(page.locator(".form-row.field-file > ul.errorlist")).to_have_text(
        "big.bin: big.bin is 3.0\xa0MB; files may be at most 2.0\xa0MB."
    )
    expect(page.locator("p.errornote")).to_have_text("Please correct the error below.")
    expect(page.locator("input[name=file]")).to_be_focused()
    assert sorted(UploadedFile.objects.values_list("name", flat=True)) == [
        "other.png",
        "small.png",
    ]
    assert uploads_in(cors_bucket) == set(UploadedFile.objects.values_list("file", flat=True))


@pytest.mark.django_db(transaction=True)
def test_on_the_add_page_several_files_are_saved_then_the_list_shows(
    page, admin_user, cors_bucket, tmp_path
):
    files = mixed_files(tmp_path, 4)
    log_in(page, admin_user)
    page.goto(ADD)
    page.set_input_files("input[name=file]", files[:2])
    drop_files(page, ".direct-upload-zone", files[2:])
    expect(page.locator(".direct-upload-file")).to_have_count(4)

    page.click("input[name=_save]")

    page.wait_for_url(f"**{CHANGELIST}", timeout=60_000)
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    assert UploadedFile.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_each_file_has_its_cancel_and_the_others_go_on(page, admin_user, cors_bucket, tmp_path):
    from tests.helpers.browser import throttle_uploads

    first, second = tmp_path / "first.bin", tmp_path / "second.bin"
    write_random_file(first, 24)
    write_random_file(second, 2)
    log_in(page, admin_user)
    throttle_uploads(page, 4 * MiB)
    page.goto(CHANGELIST)

    page.set_input_files(".direct-upload-list input[name=file]", [first, second])
    row = page.locator(".direct-upload-file").filter(has_text="first.bin")
    expect(row.locator(".direct-upload-state")).to_contain_text("% ·")
    row.get_by_role("button", name="Cancel first.bin").click()

    expect(row.locator(".direct-upload-state")).to_have_text("Cancelled")
    saved_rows(page, 1)
    assert list(UploadedFile.objects.values_list("name", flat=True)) == ["second.bin"]
    page.wait_for_timeout(500)  # the abort's request
    assert uploads_in(cors_bucket) == {UploadedFile.objects.get().file.name}
