"""The admin's views that the direct uploads' script calls, against a real S3 server (moto) and
Azurite: who may call them, what they sign, and what a saved form may name."""

import json
import os
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.files.storage import default_storage
from django.test import Client

from directuploads.admin import STORAGE_FAILED
from directuploads.models import DirectUpload
from myapp.models import NameReservation
from myapp.storage.reservations import storage_key
from tests.helpers import direct as direct_client
from tests.helpers import s3
from tests.helpers.project import use_storage_dsn
from uploader.models import UploadedFile

MiB = 1024 * 1024
BIG = os.urandom(20 * MiB)  # three parts of 8 MiB, the last one shorter


def api_for(client):
    return direct_client.TestClientApi(client)


def file_errors(page):
    return page.context["adminform"].form.errors["file"]


def multipart_uploads(bucket):
    return bucket.client.list_multipart_uploads(Bucket=bucket.name).get("Uploads", [])


@pytest.mark.django_db
def test_a_direct_upload_is_stored_with_the_name_type_and_acl_the_server_chose(
    admin_client, s3_bucket, s3_server
):
    api = api_for(admin_client)
    started = direct_client.start(api, "../../my page.html", len(BIG))
    (pending,) = multipart_uploads(s3_bucket)
    direct_client.send(api, started, BIG)
    status, completed = api.post(started["urls"]["complete"], {})

    assert (started["parts"], started["part_size"]) == (3, 8 * MiB)
    assert pending["Key"] == "my_page.html.txt"  # cleaned and made inert, as any upload
    assert status == 200
    stored = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key="my_page.html.txt")
    assert stored["Body"].read() == BIG
    assert stored["ContentType"] == "text/plain"
    if isinstance(s3_server, s3.MotoServer):  # SeaweedFS lists no grants
        assert all_users_grants(s3_bucket, "my_page.html.txt") == ["READ"]  # the DSN's public-read
    assert api.save(completed["token"]).status_code == 302
    uploaded = UploadedFile.objects.get()
    assert (uploaded.file.name, uploaded.name) == ("my_page.html.txt", "my page.html")
    assert (uploaded.size, uploaded.content_type) == (len(BIG), "text/plain")
    assert not NameReservation.objects.exists()


def all_users_grants(bucket, key):
    grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
    return [g["Permission"] for g in grants if g["Grantee"].get("URI", "").endswith("/AllUsers")]


@pytest.mark.django_db
def test_signed_part_urls_live_for_minutes(admin_client, s3_bucket):
    api = api_for(admin_client)
    started = direct_client.start(api, "report.pdf", len(BIG))
    signed = direct_client.sign(api, started, BIG, [1, 2])

    for number, url in signed["urls"].items():
        query = parse_qs(urlsplit(url).query)
        assert query["X-Amz-Expires"] == ["600"]
        assert query["partNumber"] == [number]
        # Valid only with the part's SHA-256, which the store checks the part against.
        assert "x-amz-checksum-sha256" in query["X-Amz-SignedHeaders"][0].split(";")
        assert signed["headers"][number] == {
            "x-amz-checksum-sha256": direct_client.digest(
                "sha256", direct_client.part_of(started, BIG, int(number))
            )
        }


@pytest.mark.django_db
def test_an_azure_sas_is_for_one_staged_blob_for_writing_and_for_minutes(
    admin_client, azure_container
):
    api = api_for(admin_client)
    started = direct_client.start(api, "report.pdf", 1000)
    signed = direct_client.sign(api, started, b"x" * 1000, [1])

    url = urlsplit(signed["urls"]["1"])
    query = parse_qs(url.query)
    assert signed["headers"]["1"] == {"Content-MD5": direct_client.digest("md5", b"x" * 1000)}
    staged = DirectUpload.objects.get().upload_id
    assert url.path.endswith(f"/{azure_container.name}-uploading/{staged}")
    assert (query["sr"], query["sp"], query["comp"]) == (["b"], ["w"], ["block"])
    lifetime = datetime.fromisoformat(query["se"][0]) - datetime.fromisoformat(query["st"][0])
    assert lifetime == timedelta(minutes=15)  # ten minutes ahead, five back for clock drift


@pytest.mark.django_db
def test_an_over_size_file_is_refused_before_any_byte_is_sent(admin_client, s3_bucket, settings):
    settings.UPLOAD_MAX_SIZE = "1M"
    status, answer = api_for(admin_client).post(
        direct_client.START, {"name": "big.bin", "size": 2 * MiB}
    )
    assert status == 400
    assert answer["error"] == "big.bin is 2.0\xa0MB; files may be at most 1.0\xa0MB."
    assert multipart_uploads(s3_bucket) == []
    assert not NameReservation.objects.exists()


@pytest.mark.django_db
def test_an_upload_missing_a_part_is_not_completed(admin_client, s3_bucket):
    api = api_for(admin_client)
    started = direct_client.start(api, "report.pdf", len(BIG))
    direct_client.send(api, started, BIG[: 16 * MiB])  # the browser stopped after two parts

    status, answer = api.post(started["urls"]["complete"], {})

    assert status == 400
    assert answer["error"] == "The file did not arrive whole at the storage: send it again."
    assert s3_bucket.client.list_objects_v2(Bucket=s3_bucket.name).get("KeyCount") == 0


@pytest.mark.django_db
def test_a_cancelled_upload_leaves_no_parts_and_frees_its_name(admin_client, s3_bucket):
    api = api_for(admin_client)
    started = direct_client.start(api, "report.pdf", len(BIG))
    direct_client.send(api, started, BIG)

    status, _ = api.post(started["urls"]["abort"], {})

    assert status == 200
    assert multipart_uploads(s3_bucket) == []
    assert not NameReservation.objects.exists()


@pytest.mark.django_db
def test_parts_are_signed_only_by_their_numbers(admin_client, s3_bucket):
    api = api_for(admin_client)
    started = direct_client.start(api, "report.pdf", len(BIG))
    good = direct_client.digest("sha256", b"")
    for parts in ([0], [4], ["1"], "1-3", None, [2] * 1000, [True], [1.0]):
        parts = [{"number": n, "sha256": good} for n in parts] if isinstance(parts, list) else parts
        status, answer = api.post(started["urls"]["parts"], {"parts": parts})
        assert status == 400
        assert answer["error"] == "Parts are numbered from 1 to 3, each once."


@pytest.mark.django_db
def test_a_part_is_signed_only_with_its_checksum(admin_client, s3_bucket):
    api = api_for(admin_client)
    started = direct_client.start(api, "report.pdf", len(BIG))
    md5 = direct_client.digest("md5", b"")
    for part in (
        1,
        {"number": 1},
        {"number": 1, "sha256": "not base64!"},
        {"number": 1, "sha256": md5},
    ):
        status, answer = api.post(started["urls"]["parts"], {"parts": [part]})
        assert (status, answer) == (
            400,
            {"error": "Each part needs its sha256 checksum, in base64."},
        )


@pytest.fixture
def editor(django_user_model):
    """A staff user who may only look at uploaded files, not add or change them."""
    user = django_user_model.objects.create_user("viewer", password="password", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_uploadedfile"))
    return user


@pytest.mark.django_db
def test_only_users_who_may_add_or_change_start_an_upload(client, editor, s3_bucket):
    anonymous = client.post(direct_client.START, "{}", content_type="application/json")
    client.force_login(editor)
    viewer = client.post(direct_client.START, "{}", content_type="application/json")

    assert anonymous.status_code == 302  # to the login page
    assert anonymous.url.startswith("/admin/login/")
    assert viewer.status_code == 403
    assert multipart_uploads(s3_bucket) == []


@pytest.mark.django_db
def test_starting_an_upload_needs_the_csrf_token(admin_user, s3_bucket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    body = json.dumps({"name": "report.pdf", "size": 10})

    response = client.post(direct_client.START, body, content_type="application/json")

    assert response.status_code == 403
    assert multipart_uploads(s3_bucket) == []


@pytest.mark.django_db
def test_nobody_but_its_user_goes_on_with_an_upload(admin_client, admin_user, s3_bucket, client):
    started = direct_client.start(api_for(admin_client), "report.pdf", len(BIG))
    other = admin_user.__class__.objects.create_superuser("other", "o@example.com", "password")
    client.force_login(other)

    status, _ = api_for(client).post(started["urls"]["parts"], {"parts": [1]})

    assert status == 404


@pytest.mark.django_db
def test_a_form_names_only_a_finished_upload_of_its_own_user(admin_client, admin_user, s3_bucket):
    api = api_for(admin_client)
    finished = direct_client.upload(api, "mine.bin", BIG)
    unfinished = direct_client.start(api, "unfinished.bin", len(BIG))
    other = admin_user.__class__.objects.create_superuser("other", "o@example.com", "password")
    theirs = Client()
    theirs.force_login(other)
    forged = signing.dumps(
        {"upload": DirectUpload.objects.get(original_name="unfinished.bin").pk, "user": 1}
    )

    for client, token in [
        (theirs, finished),  # someone else's upload
        (admin_client, forged),  # a token not signed by the server
        (admin_client, finished[:-2] + "xx"),  # a token altered
        (admin_client, unfinished["urls"]["complete"]),  # no token at all
    ]:
        page = api_for(client).save(token)
        assert page.status_code == 200
        assert file_errors(page) == [
            "This upload was not found or not finished: choose the file again."
        ]
    assert not UploadedFile.objects.exists()


@pytest.mark.django_db
def test_a_token_names_its_upload_once(admin_client, s3_bucket):
    api = api_for(admin_client)
    token = direct_client.upload(api, "report.bin", BIG)

    first, second = api.save(token), api.save(token)

    assert first.status_code == 302
    assert second.status_code == 200
    assert UploadedFile.objects.count() == 1


@pytest.mark.django_db
def test_a_stored_file_over_the_limit_is_refused_when_the_form_is_saved(
    admin_client, s3_bucket, settings
):
    api = api_for(admin_client)
    token = direct_client.upload(api, "report.bin", BIG)
    settings.UPLOAD_MAX_SIZE = "8M"  # lowered while the file was on its way

    page = api.save(token)

    assert file_errors(page) == ["report.bin is 20.0\xa0MB; files may be at most 8.0\xa0MB."]
    assert not UploadedFile.objects.exists()


@pytest.mark.django_db
def test_uploads_of_one_name_started_together_keep_distinct_names(admin_client, stored_cloud):
    api = api_for(admin_client)
    contents = [os.urandom(1000 + number) for number in range(20)]
    # All are started, so all names are chosen, before any is stored.
    started = [direct_client.start(api, "report.pdf", len(content)) for content in contents]
    tokens = []
    for upload, content in zip(started, contents, strict=True):
        direct_client.send(api, upload, content)
        tokens.append(api.post(upload["urls"]["complete"], {})[1]["token"])
    for token in tokens:
        assert api.save(token).status_code == 302

    rows = UploadedFile.objects.order_by("size")
    assert len({row.file.name for row in rows}) == 20
    assert [stored_cloud.read(row.file.name) for row in rows] == contents


@pytest.mark.django_db
@pytest.mark.parametrize("size", [True, False, 1.5, "10", -1, None])
def test_a_size_that_is_no_whole_number_is_refused(admin_client, s3_bucket, size):
    status, answer = api_for(admin_client).post(
        direct_client.START, {"name": "report.pdf", "size": size}
    )

    assert (status, answer) == (400, {"error": "Give the file's name and size."})
    assert multipart_uploads(s3_bucket) == []
    assert not NameReservation.objects.exists()


@pytest.mark.django_db
def test_a_name_is_cleaned_as_the_server_path_cleans_it(admin_client, s3_bucket):
    api = api_for(admin_client)
    name = "C:\\Users\\me\\invoice\u202efdp.exe\x00.pdf"
    token = direct_client.upload(api, name, BIG)

    assert api.save(token).status_code == 302
    uploaded = UploadedFile.objects.get()
    # The browser's name, as Django's upload parser keeps it: last part, printable characters.
    assert uploaded.name == "invoicefdp.exe.pdf"
    assert uploaded.file.name == "invoicefdp.exe.pdf"


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_every_step_answers_json_when_the_storage_is_down(
    admin_client, admin_user, settings, down_s3_dsn, debug, caplog
):
    use_storage_dsn(settings, down_s3_dsn)
    settings.DEBUG = debug
    reservation = NameReservation.objects.create(
        storage=storage_key(default_storage), name="report.pdf"
    )
    upload = DirectUpload.objects.create(
        reservation=reservation,
        user=admin_user,
        original_name="report.pdf",
        size=len(BIG),
        content_type="application/pdf",
        upload_id="an-upload",
    )
    api, steps = api_for(admin_client), f"{direct_client.START}{upload.pk}"

    # Signing the parts asks nothing of the storage; every other step does.
    answers = [
        api.post(direct_client.START, {"name": "other.pdf", "size": len(BIG)}),
        api.post(f"{steps}/complete/", {}),
        api.post(f"{steps}/abort/", {}),
    ]

    for status, answer in answers:
        assert status == 502
        # In words for an editor; what failed, for whoever runs the site, goes to the log.
        assert answer["error"] == STORAGE_FAILED
    assert "the endpoint cannot be reached" in caplog.text
    assert s3.SECRET not in caplog.text
