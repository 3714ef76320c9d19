"""What the server does for several files, resumed uploads and verified parts, through Django's
test client against real stores: moto, SeaweedFS (which checks each part's SHA-256 and gives the
object's composite checksum) and Azurite (which checks each block's MD5)."""

import os
import re
from types import SimpleNamespace

import pytest
import requests
from botocore.exceptions import ClientError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from directuploads import cors
from directuploads.admin import ALTERED
from directuploads.models import DirectUpload
from directuploads.storages import S3DirectUploads, composite_sha256, for_storage
from myapp.models import NameReservation
from tests.directuploads.browser import allow_origin
from tests.helpers import direct as direct_client
from tests.helpers.admin import ADD_URL, CHANGELIST
from tests.helpers.files import read_stored
from uploader.models import UploadedFile

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024
BIG = os.urandom(20 * MiB)  # three parts


def api_for(client):
    return direct_client.TestClientApi(client)


def started_with_fingerprint(api, content=BIG, name="film.mp4"):
    return direct_client.start(
        api,
        name,
        len(content),
        last_modified=1700000000000,
        fingerprint=direct_client.fingerprint(content),
    )


def test_the_same_file_chosen_again_resumes_its_upload_with_the_parts_the_store_holds(
    admin_client, stored_cloud
):
    api = api_for(admin_client)
    first = started_with_fingerprint(api)
    direct_client.send(api, first, BIG, numbers=[1, 3])  # then the tab was closed

    again = started_with_fingerprint(api)

    assert again["urls"] == first["urls"]  # the same upload
    algorithm = first["checksum"]
    assert algorithm in ("sha256", "md5")
    assert sorted(again["received"], key=lambda part: part["number"]) == [
        {
            "number": number,
            "size": len(direct_client.part_of(first, BIG, number)),
            "checksum": direct_client.digest(algorithm, direct_client.part_of(first, BIG, number)),
        }
        for number in (1, 3)
    ]
    direct_client.send(api, again, BIG, numbers=[2])
    status, completed = api.post(again["urls"]["complete"], {})
    assert status == 200, completed
    assert api.save(completed["token"]).status_code == 302
    assert read_stored(UploadedFile.objects.get().file) == BIG
    assert DirectUpload.objects.count() == 0


def test_only_the_same_user_s_same_file_is_resumed(admin_client, admin_user, client, s3_bucket):
    api = api_for(admin_client)
    first = started_with_fingerprint(api)
    other = admin_user.__class__.objects.create_superuser("other", "o@example.com", "password")
    client.force_login(other)

    elses = started_with_fingerprint(api_for(client))
    changed = direct_client.start(
        api,
        "film.mp4",
        len(BIG),
        last_modified=1700000000001,
        fingerprint=direct_client.fingerprint(BIG),
    )
    no_fingerprint = direct_client.start(api, "film.mp4", len(BIG))

    urls = {first["urls"]["parts"], elses["urls"]["parts"], changed["urls"]["parts"]}
    assert len(urls | {no_fingerprint["urls"]["parts"]}) == 4
    assert elses["received"] == changed["received"] == []


def test_an_upload_the_store_no_longer_has_is_started_anew(admin_client, s3_bucket):
    api = api_for(admin_client)
    first = started_with_fingerprint(api)
    upload = DirectUpload.objects.get()
    s3_bucket.client.abort_multipart_upload(
        Bucket=s3_bucket.name, Key=upload.name, UploadId=upload.upload_id
    )  # as sweepuploads or a lifecycle rule does

    again = started_with_fingerprint(api)

    assert again["urls"] != first["urls"]
    assert DirectUpload.objects.count() == 1
    assert NameReservation.objects.count() == 1


def test_a_checksum_signed_is_required_and_checked_by_seaweedfs(admin_client, seaweedfs_bucket):
    api = api_for(admin_client)
    started = direct_client.start(api, "film.mp4", len(BIG))
    signed = direct_client.sign(api, started, BIG, [1])
    part = direct_client.part_of(started, BIG, 1)
    altered = bytes([part[0] ^ 1]) + part[1:]

    without = requests.put(signed["urls"]["1"], data=part, timeout=60)
    refused = direct_client.put(signed, 1, altered)
    taken = direct_client.put(signed, 1, part)

    assert without.status_code == 403  # the checksum is part of the signature
    assert (refused.status_code, "BadDigest") == (400, refused.text.split("<Code>")[1][:9])
    assert taken.status_code == 200


def test_the_completed_object_is_checked_against_the_parts_signed(admin_client, seaweedfs_bucket):
    api = api_for(admin_client)
    token = direct_client.upload(api, "film.mp4", BIG)
    head = seaweedfs_bucket.client.head_object(
        Bucket=seaweedfs_bucket.name, Key="film.mp4", ChecksumMode="ENABLED"
    )
    sums = [direct_client.digest("sha256", BIG[n * 8 * MiB : (n + 1) * 8 * MiB]) for n in range(3)]

    assert head["ChecksumSHA256"] == composite_sha256(sums)
    assert api.save(token).status_code == 302


def test_an_object_stored_otherwise_than_signed_is_deleted_and_refused(
    admin_client, s3_bucket, monkeypatch
):
    api = api_for(admin_client)
    started = direct_client.start(api, "film.mp4", len(BIG))
    direct_client.send(api, started, BIG)
    # As a store that kept other bytes than those signed would say.
    monkeypatch.setattr(
        "directuploads.storages.composite_sha256", lambda sums: "c29tZXRoaW5nIGVsc2U=-3"
    )

    status, answer = api.post(started["urls"]["complete"], {})

    assert (status, answer) == (400, {"error": ALTERED})
    assert s3_bucket.client.list_objects_v2(Bucket=s3_bucket.name).get("KeyCount") == 0
    assert not DirectUpload.objects.exists()
    assert not NameReservation.objects.exists()


def test_a_completion_retried_after_a_timeout_finds_its_own_object_and_no_other(
    admin_user, s3_bucket
):
    uploads = for_storage(default_storage)
    assert isinstance(uploads, S3DirectUploads)

    def made(name, content):
        upload = SimpleNamespace(
            name=name, size=len(content), content_type="video/mp4", checksums={}, upload_id=""
        )
        uploads.start(upload)
        signed = uploads.sign(
            upload, {1: direct_client.digest("sha256", content) if upload.checksum else None}
        )
        url, headers = signed[1]
        assert requests.put(url, data=content, headers=headers, timeout=60).ok
        upload.checksums = {"1": direct_client.digest("sha256", content)}
        return upload

    mine = made("mine.mp4", b"my bytes")
    complete = uploads.client.complete_multipart_upload

    def first_try_lost(**kwargs):
        complete(**kwargs)  # done, but the answer never came: the retry finds no upload
        raise ClientError({"Error": {"Code": "NoSuchUpload"}}, "CompleteMultipartUpload")

    uploads.client.complete_multipart_upload = first_try_lost
    uploads.complete(mine)  # accepted: the object is made of its parts
    assert mine.upload_id == ""

    theirs = made("theirs.mp4", b"their bytes")
    uploads.client.put_object(Bucket=uploads.bucket, Key="theirs.mp4", Body=b"another file")
    uploads.client.complete_multipart_upload = complete
    with pytest.raises(ClientError):  # the name was taken by another object: not accepted
        uploads.complete(theirs)
    with default_storage.open("theirs.mp4") as stored:
        assert stored.read() == b"another file"


def test_files_are_checked_when_chosen_whatever_the_storage(admin_client, settings, media_dir):
    settings.UPLOAD_MAX_SIZE = "1M"
    status, answer = api_for(admin_client).post(
        direct_client.CHECK,
        {
            "files": [
                {"name": "small.png", "size": 10},
                {"name": "big.bin", "size": 2 * MiB},
                {"name": "empty.txt", "size": 0},
                {"name": "", "size": 3},
            ]
        },
    )
    assert status == 200
    assert answer["errors"] == [
        None,
        "big.bin is 2.0\xa0MB; files may be at most 1.0\xa0MB.",
        "empty.txt is empty.",
        "Give the file's name and size.",
    ]


def test_the_server_asks_the_storage_s_cors_rules_and_says_when_they_refuse_the_page(
    admin_client, s3_bucket, real_cors
):
    allow_origin(s3_bucket, "https://site.example.com")
    api = api_for(admin_client)

    allowed = admin_client.post(
        direct_client.START,
        {"name": "a.bin", "size": 10},
        content_type="application/json",
        HTTP_ORIGIN="https://site.example.com",
    ).json()
    refused = admin_client.post(
        direct_client.START,
        {"name": "a.bin", "size": 10},
        content_type="application/json",
        HTTP_ORIGIN="https://elsewhere.example.com",
    ).json()
    cors.forget()
    own = api.post(direct_client.START, {"name": "a.bin", "size": 10})[1]  # http://testserver

    assert allowed["direct"] is True
    assert refused == {"direct": False} == own
    assert DirectUpload.objects.count() == 1  # nothing started for the refused ones


def test_a_form_posted_with_several_files_saves_a_row_for_each(admin_client, stored):
    files = [SimpleUploadedFile(f"photo-{n}.png", b"png %d" % n) for n in range(3)]
    empty = SimpleUploadedFile("empty.txt", b"")

    response = admin_client.post(ADD_URL, {"file": [*files, empty], "_save": "Save"}, follow=True)

    assert response.redirect_chain == [(CHANGELIST, 302)]
    said = [str(message) for message in response.context["messages"]]
    assert said == [
        "empty.txt: The submitted file is empty.",
        "3 files added: photo-0.png, photo-1.png, photo-2.png.",
    ]
    rows = UploadedFile.objects.order_by("name")
    assert [row.name for row in rows] == ["photo-0.png", "photo-1.png", "photo-2.png"]
    assert [read_stored(row.file) for row in rows] == [b"png 0", b"png 1", b"png 2"]


def test_one_file_is_saved_as_before(admin_client, media_dir):
    response = admin_client.post(
        ADD_URL, {"file": SimpleUploadedFile("a.png", b"png"), "_save": "Save"}
    )
    assert response.status_code == 302
    assert UploadedFile.objects.get().name == "a.png"


def test_the_script_s_form_is_answered_with_where_the_admin_goes(admin_client, media_dir):
    saved = admin_client.post(
        ADD_URL,
        {"file": SimpleUploadedFile("a.png", b"png"), "_save": "Save"},
        HTTP_X_DIRECT_UPLOAD="save",
    )
    refused = admin_client.post(
        ADD_URL,
        {"file": SimpleUploadedFile("b.png", b""), "_save": "Save"},
        HTTP_X_DIRECT_UPLOAD="save",
    )

    assert (saved.status_code, saved["X-Direct-Upload-Location"]) == (204, CHANGELIST)
    assert refused.status_code == 200
    assert b"The submitted file is empty." in refused.content


def test_the_list_has_a_drop_zone_that_posts_the_add_form(admin_client, media_dir):
    page = admin_client.get(CHANGELIST).content.decode()

    assert (
        'class="direct-upload-list module" method="post" action="/admin/uploader/uploadedfile/add/"'
        in page
    )
    assert re.search(r'<input type="file" name="file" [^>]*multiple>', page)
    assert "directuploads/direct-upload.js" in page


def test_the_change_page_takes_one_file(admin_client, media_dir):
    admin_client.post(ADD_URL, {"file": SimpleUploadedFile("a.png", b"png"), "_save": "Save"})
    page = admin_client.get(f"{CHANGELIST}{UploadedFile.objects.get().pk}/change/").content
    add = admin_client.get(ADD_URL).content

    assert re.search(rb'<input type="file" name="file" [^>]*multiple>', add)
    assert re.search(rb'<input type="file" name="file" [^>]*id="id_file">', page)
    assert b"multiple" not in page
