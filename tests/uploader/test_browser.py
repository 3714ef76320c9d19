"""The admin upload in a real browser: Debian's Chromium, headless, driven by Playwright.

A user logs in, chooses a file, saves, sees it in the list, opens its link and gets the same
bytes; replaces it and deletes it, and the storage follows. Screenshots of each screen go to
test-artifacts/browser/.
"""

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import log_in, png
from tests.helpers.stores import Bucket, uploads

CHANGELIST = "/admin/uploader/uploadedfile/"

# As `make run` serves the site: DEBUG on, local media at /media/, static files by name.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("debug_urls")]


def choose_and_save(page, path):
    page.set_input_files("input[name=file]", path)
    page.screenshot_as(f"{path.stem}-chosen")
    page.click("input[name=_save]")


def first_row(page):
    return page.locator("#result_list tbody tr").first


@pytest.mark.django_db(transaction=True)
def test_upload_open_replace_and_delete_in_the_browser(page, admin_user, stored, tmp_path):
    photo, replacement = tmp_path / "photo.png", tmp_path / "photo-v2.png"
    photo.write_bytes(png(320, 200, 160))
    replacement.write_bytes(png(320, 200, 40))

    log_in(page, admin_user)
    page.screenshot_as("1-logged-in")
    page.goto(f"{CHANGELIST}add/")
    expect(page.locator(".help")).to_contain_text("At most 100.0")
    choose_and_save(page, photo)

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    row = first_row(page)
    expect(row.locator(".field-name")).to_have_text("photo.png")
    expect(row.locator(".field-content_type")).to_have_text("image/png")
    expect(row.locator(".field-uploaded_by")).to_have_text(admin_user.username)
    page.screenshot_as("2-list")
    assert uploads(stored) == {"photo.png"}
    assert stored.read("photo.png") == photo.read_bytes()

    with page.expect_navigation() as opening:
        row.locator(".field-link a").click()
    assert opening.value.ok
    assert opening.value.body() == photo.read_bytes()
    if isinstance(stored, Bucket):
        assert page.url.startswith("http://127.0.0.1:")
        assert f"/{stored.bucket.name}/photo.png" in page.url
    else:
        assert page.url.endswith("/media/photo.png")
    page.screenshot_as("3-opened")

    page.go_back()
    first_row(page).locator(".field-name a").click()
    choose_and_save(page, replacement)
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(first_row(page).locator(".field-name")).to_have_text("photo-v2.png")
    assert uploads(stored) == {"photo-v2.png"}  # the old file went with the change

    first_row(page).locator(".field-name a").click()
    page.click("a.deletelink")
    page.screenshot_as("4-delete-confirmation")
    page.click("input[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("was deleted successfully")
    page.screenshot_as("5-deleted")
    assert stored.names() == set()


@pytest.mark.django_db(transaction=True)
def test_an_over_size_file_is_refused_in_the_browser(page, admin_user, stored, settings, tmp_path):
    settings.UPLOAD_MAX_SIZE = "1K"
    big = tmp_path / "big.png"
    big.write_bytes(png(200, 200, 90))
    assert big.stat().st_size > 1024

    log_in(page, admin_user)
    page.goto(f"{CHANGELIST}add/")
    choose_and_save(page, big)

    expect(page.locator(".errorlist")).to_contain_text("big.png is ")
    expect(page.locator(".errorlist")).to_contain_text("files may be at most 1.0\xa0KB.")
    page.screenshot_as("refused")
    assert stored.names() == set()
    page.goto(CHANGELIST)
    expect(page.locator("#result_list")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_a_files_link_is_copied_from_the_list(page, admin_user, live_server, media_dir, tmp_path):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    photo = tmp_path / "photo.png"
    photo.write_bytes(png(32, 20, 10))
    log_in(page, admin_user)
    page.goto(f"{CHANGELIST}add/")
    choose_and_save(page, photo)

    button = first_row(page).get_by_role("button", name="Copy the link to photo.png")
    button.click()

    expect(button).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server.url}/media/photo.png"
    assert first_row(page).inner_text().count("photo.png") == 1  # one name per row
