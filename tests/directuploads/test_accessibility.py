"""No accessibility violation that axe-core finds (npm, package.json) on the pages of direct
uploads, in Chromium: the list with its drop zone, the add page idle, sending and after an
error, and the change page. Announcements: the progress said at most every 10%."""

import pytest
from playwright.sync_api import expect

from tests.directuploads.browser import ADD, CHANGELIST, MiB, allow_origin, choose_and_save
from tests.helpers.browser import log_in, throttle_uploads
from tests.helpers.files import write_random_file
from tests.helpers.project import ROOT
from tests.helpers.stores import Bucket
from uploader.models import UploadedFile

pytestmark = pytest.mark.browser
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# What axe-core finds in Django's own admin markup, which this app cannot change, and only there:
# - link-in-text-block: the breadcrumbs' links differ from their text by colour alone
#   (django/contrib/admin/static/admin/css/base.css, "div.breadcrumbs a"), on every admin page;
# - label-title-only: the list's search box is labelled by a magnifying glass image alone
#   (django/contrib/admin/templates/admin/search_form.html, `<label for="searchbar"><img ...>`).
DJANGO_S_OWN = {
    'link-in-text-block: .breadcrumbs > a[href$="admin/"]',
    'link-in-text-block: .breadcrumbs > a[href$="uploader/"]',
    "label-title-only: #searchbar",
}


@pytest.fixture
def cors_bucket(s3_bucket, live_server):
    allow_origin(s3_bucket, live_server.url)
    return Bucket(s3_bucket)


def violations(page):
    """Return axe-core's violations on the page as it is, as "rule: target" lines.

    axe-core is evaluated by the browser's DevTools protocol, as page.add_script_tag(path=...)
    would add it, but not as an inline script, which the page's Content-Security-Policy refuses
    (and the ``page`` fixture fails a test for).
    """
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: npm ci installs it (make test does)")
    page.evaluate(AXE.read_text() + "\n;undefined")
    found = page.evaluate(
        """async () => (await axe.run(document)).violations.map((violation) =>
            violation.nodes.map((node) => `${violation.id}: ${node.target.join(" ")}`)).flat()"""
    )
    return [violation for violation in found if violation not in DJANGO_S_OWN]


@pytest.fixture
def axe_page(browser, live_server):
    """A page whose Content-Security-Policy the browser does not enforce: axe-core adds a style
    element of its own while it looks, which the policy would refuse. Every other browser test
    checks the policy."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 720}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_pages_of_direct_uploads_have_no_accessibility_violation(
    axe_page, admin_user, cors_bucket, tmp_path, settings
):
    page = axe_page
    log_in(page, admin_user)
    page.goto(CHANGELIST)
    assert violations(page) == [], "the list with its drop zone"

    page.goto(ADD)
    assert violations(page) == [], "the add page"

    video = tmp_path / "video.mp4"
    write_random_file(video, 24)
    throttle_uploads(page, 2 * MiB)
    page.set_input_files("input[name=file]", video)
    page.click("input[name=_save]")
    expect(page.locator(".direct-upload-state")).to_contain_text("% ·")
    assert violations(page) == [], "the add page, sending"
    page.click(".direct-upload-cancel-file")
    expect(page.locator(".direct-upload-state")).to_have_text("Cancelled")

    settings.UPLOAD_MAX_SIZE = "1M"
    page.goto(ADD)
    page.set_input_files("input[name=file]", video)
    expect(page.locator(".errornote")).to_be_visible()
    assert violations(page) == [], "the add page, after an error"

    settings.UPLOAD_MAX_SIZE = "100M"
    throttle_uploads(page, -1)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    choose_and_save(page, photo)
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.goto(f"{CHANGELIST}{UploadedFile.objects.get().pk}/change/")
    assert violations(page) == [], "the change page"


@pytest.mark.django_db(transaction=True)
def test_the_progress_is_announced_at_most_every_ten_percent(
    page, admin_user, cors_bucket, tmp_path
):
    said = []
    page.on(
        "console", lambda message: message.text.startswith("said|") and said.append(message.text)
    )
    page.add_init_script(
        """addEventListener("DOMContentLoaded", () => {
            const region = document.querySelector(".direct-upload-status");
            if (region) new MutationObserver(() => console.log(`said|${region.textContent}`))
                .observe(region, {childList: true, characterData: true, subtree: true});
        })"""
    )
    video = tmp_path / "video.mp4"
    write_random_file(video, 48)
    log_in(page, admin_user)
    throttle_uploads(page, 24 * MiB)

    choose_and_save(page, video)

    expect(page.locator(".messagelist")).to_contain_text("was added successfully", timeout=60_000)
    percents = [text for text in said if text.endswith("% sent.")]
    assert 5 <= len(percents) <= 11, said
    assert len(said) <= 15, said
    steps = [int(text.removeprefix("said|").removesuffix("% sent.")) // 10 for text in percents]
    assert steps == sorted(set(steps))  # each tenth once, never back
