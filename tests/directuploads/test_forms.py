"""The file field that takes a direct upload's token (directuploads/forms.py): a token names
only an upload that its own user finished, signed by the server within TOKEN_MAX_AGE; the file it
gives is the stored object, measured in the storage. Against moto's S3."""

import time

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from directuploads.forms import (
    SALT,
    TOKEN_MAX_AGE,
    DirectUploadedFile,
    DirectUploadField,
    token_for,
)
from directuploads.models import DirectUpload
from myapp.models import NameReservation
from myapp.storage.backends import open_storage
from myapp.storage.reservations import reserve
from tests.helpers.stores import Bucket

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4 a report sent straight to the bucket"
REFUSED = "This upload was not found or not finished: choose the file again."


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("owner", password="password", is_staff=True)


@pytest.fixture
def someone_else(django_user_model):
    return django_user_model.objects.create_user("someone", password="password", is_staff=True)


def sent_by(user, bucket, *, finished=True, announced=None):
    """An upload ``user`` sent to ``bucket`` (the default storage), as the admin's views leave it:
    its name held, its object stored, finished or not."""
    upload = DirectUpload.objects.create(
        reservation=reserve(default_storage, "report.pdf"),
        user=user,
        original_name="Report 2024.pdf",
        size=len(CONTENT) if announced is None else announced,
        content_type="application/pdf",
        completed_at=timezone.now() if finished else None,
    )
    Bucket(bucket).put(upload.name, CONTENT)
    return upload


def field_of(user):
    return DirectUploadField(user=user, storage=default_storage)


def refused(field, token):
    with pytest.raises(ValidationError) as raised:
        field.clean(token)
    return raised.value.messages


def signed_ago(seconds, upload):
    """The token of ``upload`` as the server signed it ``seconds`` ago."""
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(
            signing.TimestampSigner,
            "timestamp",
            lambda signer: signing.b62_encode(int(time.time() - seconds)),
        )
        return token_for(upload)


def test_a_finished_upload_of_its_user_is_the_stored_file(owner, s3_bucket):
    upload = sent_by(owner, s3_bucket, announced=10)  # the storage's size counts, not this

    file = field_of(owner).clean(token_for(upload))

    assert isinstance(file, DirectUploadedFile)
    assert (file.name, file.size, file.content_type) == (
        "Report 2024.pdf",
        len(CONTENT),
        "application/pdf",
    )
    assert file.read() == CONTENT
    file.close()


def test_the_upload_of_another_user_is_refused(owner, someone_else, s3_bucket):
    upload = sent_by(owner, s3_bucket)
    claimed = signing.dumps({"upload": upload.pk, "user": someone_else.pk}, salt=SALT)

    assert refused(field_of(someone_else), token_for(upload)) == [REFUSED]
    assert refused(field_of(someone_else), claimed) == [REFUSED]


def test_an_altered_token_is_refused(owner, s3_bucket):
    token = token_for(sent_by(owner, s3_bucket))
    other = sent_by(owner, s3_bucket)
    signed = token.partition(":")[2]  # when, and the signature
    naming_other = signing.dumps({"upload": other.pk, "user": owner.pk}, salt=SALT)

    for altered in [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # its signature
        f"{naming_other.partition(':')[0]}:{signed}",  # what it names
        signing.dumps({"upload": other.pk, "user": owner.pk}, salt="another purpose"),
    ]:
        assert refused(field_of(owner), altered) == [REFUSED]


def test_a_token_older_than_its_lifetime_is_refused(owner, s3_bucket):
    upload = sent_by(owner, s3_bucket)

    old = signed_ago(TOKEN_MAX_AGE + 60, upload)
    recent = signed_ago(TOKEN_MAX_AGE - 60, upload)

    assert refused(field_of(owner), old) == [REFUSED]
    field_of(owner).clean(recent).close()


def test_an_unfinished_upload_is_refused(owner, s3_bucket):
    upload = sent_by(owner, s3_bucket, finished=False)

    assert refused(field_of(owner), token_for(upload)) == [REFUSED]


def test_no_token_is_taken_where_the_storage_takes_no_direct_uploads(owner, s3_bucket, media_dir):
    token = token_for(sent_by(owner, s3_bucket))
    folder = open_storage(f"file://{media_dir}/?url=%2Fmedia%2F")

    assert refused(DirectUploadField(user=owner, storage=folder), token) == [REFUSED]


def test_a_file_sent_with_the_form_is_taken_as_in_any_form(owner, s3_bucket):
    sent = SimpleUploadedFile("report.pdf", CONTENT)

    assert field_of(owner).clean(sent) is sent


def test_saved_in_its_own_storage_it_keeps_its_name_and_frees_it(owner, s3_bucket):
    upload = sent_by(owner, s3_bucket)
    file = field_of(owner).clean(token_for(upload))

    name = default_storage.save("Report_2024.pdf", file)

    assert name == upload.name
    assert Bucket(s3_bucket).names() == {name}
    assert not DirectUpload.objects.exists()
    assert not NameReservation.objects.exists()


def test_saved_in_another_storage_it_is_sent_there(owner, s3_server, s3_bucket):
    upload = sent_by(owner, s3_bucket)
    file = field_of(owner).clean(token_for(upload))
    other_bucket = s3_server.new_bucket()

    name = open_storage(other_bucket.dsn).save("copy.pdf", file)
    file.close()

    assert Bucket(other_bucket).read(name) == CONTENT
    assert DirectUpload.objects.get() == upload  # still the first storage's
