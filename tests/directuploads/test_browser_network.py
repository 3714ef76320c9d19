"""Direct uploads through a network that fails, in Chromium: offline for a while, a reload half
way, a byte altered on the way. Parts go through a relay (tests/helpers/part_relay.py) that
counts what the browser sent and can alter a part, in front of SeaweedFS, which checks each
part's SHA-256 as AWS does, or Azurite, which checks each block's MD5."""

import time
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from azure.storage.blob import CorsRule
from playwright.sync_api import expect

from myapp.models import NameReservation
from tests.directuploads.browser import ADD, MiB, allow_origin, choose_and_save
from tests.helpers import azurite as azurite_server
from tests.helpers import s3
from tests.helpers.browser import log_in
from tests.helpers.files import sha256, stored_chunks, write_random_file
from tests.helpers.part_relay import PartRelay
from tests.helpers.project import use_storage_dsn
from uploader.models import UploadedFile

pytestmark = pytest.mark.browser
SAVED = "was added successfully"


@pytest.fixture
def relayed_bucket(settings, seaweedfs, live_server):
    """A SeaweedFS bucket allowing the site, reached through a PartRelay (``relay``)."""
    bucket = seaweedfs.new_bucket()
    allow_origin(bucket, live_server.url)
    relay = PartRelay(seaweedfs.endpoint)
    use_storage_dsn(settings, s3.http_dsn(relay.endpoint, bucket.name))
    bucket.relay = relay
    yield bucket
    relay.close()


@pytest.fixture
def relayed_container(settings, azurite, live_server):
    """An Azurite container, its service allowing the site, reached through a PartRelay."""
    container = azurite.new_container()
    service = azurite.client()
    service.set_service_properties(
        cors=[CorsRule([live_server.url], ["PUT"], allowed_headers=["*"], max_age_in_seconds=60)]
    )
    relay = PartRelay(f"http://127.0.0.1:{azurite.port}")
    key = quote(azurite_server.KEY, safe="")
    host = relay.endpoint.removeprefix("http://")
    use_storage_dsn(
        settings,
        f"az+http://{azurite_server.ACCOUNT}:{key}@{host}/{azurite_server.ACCOUNT}/{container.name}",
    )
    container.relay = relay
    yield container
    relay.close()
    service.set_service_properties(cors=[])


FILM_SIZE, SPEED = 200 * MiB, 20 * MiB


@pytest.fixture
def film(page, admin_user, tmp_path, settings):
    """A file of 200 MiB (``film.path``, ``film.sha256``), and a page logged in whose uploads go
    at 20 MiB/s, slow enough to act half way."""
    settings.UPLOAD_MAX_SIZE = "1G"
    path = tmp_path / "film.mp4"
    sha256 = write_random_file(path, FILM_SIZE // MiB)
    log_in(page, admin_user)
    page.cdp = page.context.new_cdp_session(page)
    network(page, False, SPEED)
    return SimpleNamespace(path=path, sha256=sha256)


def network(page, offline, upload_bytes_per_second):
    """Take the page off the network, or put it back, its uploads at that speed."""
    page.cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": offline,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": upload_bytes_per_second,
        },
    )


def wait_for_percent(page, percent):
    page.wait_for_function(
        f"""() => {{
            const bar = document.querySelector(".direct-upload-file progress");
            return bar && bar.value >= {percent};
        }}""",
        timeout=120_000,
    )


def stored_sha256(uploaded):
    return sha256(stored_chunks(uploaded.file))


@pytest.mark.django_db(transaction=True)
def test_offline_for_ten_seconds_at_40_percent_the_upload_waits_then_completes(
    page, film, relayed_bucket
):
    choose_and_save(page, film.path)
    wait_for_percent(page, 40)
    network(page, True, SPEED)
    went_offline = time.monotonic()
    expect(page.locator(".direct-upload-state")).to_have_text(
        "Waiting for the network", timeout=10_000
    )
    expect(page.locator(".direct-upload-status")).to_have_text("film.mp4: waiting for the network.")
    page.wait_for_timeout(max(0, 10 - (time.monotonic() - went_offline)) * 1000)
    network(page, False, SPEED)

    expect(page.locator(".messagelist")).to_contain_text(SAVED, timeout=120_000)
    assert relayed_bucket.relay.received <= 1.1 * FILM_SIZE
    assert stored_sha256(UploadedFile.objects.get()) == film.sha256
    assert not NameReservation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_reload_half_way_then_the_same_file_chosen_again_sends_only_what_is_missing(
    page, film, relayed_bucket
):
    choose_and_save(page, film.path)
    wait_for_percent(page, 50)
    page.reload()
    page.wait_for_timeout(300)  # what was on its way is cut
    relayed_bucket.relay.reset()
    page.set_input_files("input[name=file]", film.path)
    page.click("input[name=_save]")

    expect(page.locator(".messagelist")).to_contain_text(SAVED, timeout=120_000)
    assert relayed_bucket.relay.received <= 0.6 * FILM_SIZE
    uploaded = UploadedFile.objects.get()
    assert stored_sha256(uploaded) == film.sha256
    assert UploadedFile.objects.count() == 1
    assert not NameReservation.objects.exists()
    # Nothing left of the first start: it was the one resumed.
    assert (
        relayed_bucket.client.list_multipart_uploads(Bucket=relayed_bucket.name).get("Uploads", [])
        == []
    )


@pytest.mark.django_db(transaction=True)
def test_a_part_altered_on_its_way_to_s3_is_refused_and_sent_again(
    page, admin_user, relayed_bucket, tmp_path
):
    video = tmp_path / "video.mp4"
    sent = write_random_file(video, 20)  # parts of 8, 8 and 4 MiB
    relayed_bucket.relay.flip(2)
    log_in(page, admin_user)

    choose_and_save(page, video)

    expect(page.locator(".messagelist")).to_contain_text(SAVED, timeout=60_000)
    answers = [status for number, status in relayed_bucket.relay.answers if number == 2]
    assert relayed_bucket.relay.flipped == [2]
    assert answers == [400, 200]  # BadDigest, then the part as it is
    assert stored_sha256(UploadedFile.objects.get()) == sent


@pytest.mark.django_db(transaction=True)
def test_a_block_altered_on_its_way_to_azure_is_refused_and_sent_again(
    page, admin_user, relayed_container, tmp_path
):
    video = tmp_path / "video.mp4"
    sent = write_random_file(video, 20)
    relayed_container.relay.flip(2)
    log_in(page, admin_user)

    choose_and_save(page, video)

    expect(page.locator(".messagelist")).to_contain_text(SAVED, timeout=60_000)
    answers = [status for number, status in relayed_container.relay.answers if number == 2]
    assert relayed_container.relay.flipped == [2]
    assert answers == [400, 201]  # the MD5 does not match, then the block as it is
    uploaded = UploadedFile.objects.get()
    blob = relayed_container.client.get_blob_client(uploaded.file.name)
    assert sha256(blob.download_blob().chunks()) == sent


@pytest.mark.django_db(transaction=True)
def test_a_network_failure_is_never_taken_for_a_cors_refusal(
    page, admin_user, relayed_bucket, tmp_path, settings
):
    photo = tmp_path / "photo.jpg"
    sent = write_random_file(photo, 1)
    log_in(page, admin_user)
    relayed_bucket.relay.cut = True  # the storage's host stops answering the browser's parts
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))

    choose_and_save(page, photo)

    # Tried again, then said in words; the file is not sent through the server instead.
    expect(page.locator(".direct-upload-state")).to_have_text(
        "Failed: The storage could not be reached. Choose the file again to go on from where "
        "it stopped.",
        timeout=30_000,
    )
    assert not [url for method, url in requests if method == "POST" and url.endswith(ADD)]
    assert not UploadedFile.objects.exists()

    relayed_bucket.relay.cut = False
    page.set_input_files("input[name=file]", photo)
    page.click("input[name=_save]")

    expect(page.locator(".messagelist")).to_contain_text(SAVED, timeout=30_000)
    assert stored_sha256(UploadedFile.objects.get()) == sent
