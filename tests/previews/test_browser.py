"""Previews in a real browser: Debian's Chromium, headless, driven by Playwright.

A user uploads a photo and sees its thumbnail in the list and its preview on its page, loaded
from the storage, with nothing stopped by the Content-Security-Policy (the ``page`` fixture
checks). Screenshots go to test-artifacts/browser/.
"""

import pytest
from playwright.sync_api import expect

from tests.helpers import images as pictures
from tests.helpers.browser import log_in
from tests.helpers.previews import previews_of

CHANGELIST = "/admin/uploader/uploadedfile/"
LOADED = "image => image.complete && image.naturalWidth > 0"

# As `make run` serves the site: DEBUG on, local media at /media/, static files by name.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("debug_urls")]


def natural_size(page, image):
    page.wait_for_function(LOADED, arg=image.element_handle())
    return image.evaluate("image => [image.naturalWidth, image.naturalHeight]")


@pytest.mark.django_db(transaction=True)
def test_the_list_and_the_page_show_the_photo_s_previews(page, admin_user, stored, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(pictures.photo(1200, 800, orientation=6))
    log_in(page, admin_user)

    page.goto(f"{CHANGELIST}add/")
    page.set_input_files("input[name=file]", photo)
    page.click("input[name=_save]")

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert previews_of("photo.jpg") <= stored.names()
    thumbnail = page.locator("#result_list tbody tr").first.locator(".field-preview img")
    expect(thumbnail).to_have_attribute("alt", "Preview of photo.jpg")
    assert natural_size(page, thumbnail) == [85, 128]  # upright: the camera held it turned
    assert thumbnail.bounding_box()["height"] == 64  # shown at half its size
    page.screenshot_as("1-list")

    page.locator("#result_list tbody tr").first.locator(".field-name a").click()
    large = page.locator(".field-large_preview img")
    assert natural_size(page, large) == [533, 800]
    page.screenshot_as("2-change-page")
