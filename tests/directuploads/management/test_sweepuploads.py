"""`manage.py sweepuploads`, as direct uploads extend it: what unfinished direct uploads left
behind goes, what was saved stays."""

import pytest
import requests

from myapp.models import NameReservation
from tests.helpers import direct as direct_client
from tests.helpers.stores import Container
from tests.helpers.sweeps import sweep, two_days_ago

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024
CONTENT = b"x" * (9 * MiB)


def test_old_unfinished_uploads_go_and_saved_or_recent_ones_stay(admin_client, stored_cloud):
    api = direct_client.TestClientApi(admin_client)
    unfinished = direct_client.start(api, "unfinished.bin", len(CONTENT))
    direct_client.send(api, unfinished, CONTENT)  # every part sent, the upload never completed
    direct_client.upload(api, "never-saved.bin", CONTENT)  # completed, its form never saved
    assert api.save(direct_client.upload(api, "saved.bin", CONTENT)).status_code == 302
    direct_client.upload(api, "recent.bin", CONTENT)
    for name in ("unfinished.bin", "never-saved.bin"):
        two_days_ago(name)

    assert sweep() == "swept 2, failed 0"

    assert stored_cloud.names() == {"saved.bin", "recent.bin"}
    assert list(NameReservation.objects.values_list("name", flat=True)) == ["recent.bin"]


def staged_blobs(azurite, container):
    staging = azurite.client().get_container_client(f"{container.name}-uploading")
    return {blob.name for blob in staging.list_blobs(include=["uncommittedblobs"])}


def test_what_a_held_sas_wrote_after_the_upload_ended_is_swept(
    admin_client, azurite, azure_container
):
    api = direct_client.TestClientApi(admin_client)
    started = direct_client.start(api, "report.bin", len(CONTENT))
    signed = direct_client.sign(api, started, CONTENT, [1])["urls"]["1"]
    assert api.save(direct_client.upload(api, "other.bin", CONTENT)).status_code == 302
    direct_client.send(api, started, CONTENT)
    api.post(started["urls"]["abort"], {})
    address, _, query = signed.partition("?")
    sas = "&".join(p for p in query.split("&") if not p.startswith(("comp=", "blockid=")))
    written = requests.put(
        f"{address}?{sas}", data=b"later", headers={"x-ms-blob-type": "BlockBlob"}, timeout=10
    )
    assert written.status_code == 201

    assert sweep("--older-than", "0") == "swept 1, failed 0"

    assert Container(azure_container).names() == {"other.bin"}
    assert staged_blobs(azurite, azure_container) == set()
