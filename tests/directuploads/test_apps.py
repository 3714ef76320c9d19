"""How direct uploads plug in (directuploads/apps.py): once the admin has found every admin
module, each model admin whose model has a file field sends its files straight to the storage;
the others are left as they were. No app with files names this one."""

import pytest
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import models

from directuploads.admin import DirectUploadsMixin
from tests.helpers import direct as direct_client
from tests.helpers.admin import ADD_URL
from uploader.models import UploadedFile

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

SCRIPT = "directuploads/direct-upload.js"


def has_files(model):
    return any(isinstance(field, models.FileField) for field in model._meta.fields)


def test_the_uploader_s_form_sends_its_files_straight_to_the_bucket(admin_client, s3_bucket):
    page = admin_client.get(ADD_URL).content.decode()

    assert f'data-start-url="{direct_client.START}"' in page
    assert SCRIPT in page
    started = direct_client.start(direct_client.TestClientApi(admin_client), "report.pdf", 10)
    assert started["parts"] == 1


def test_the_user_admin_has_no_files_and_is_left_alone(admin_client, s3_bucket):
    page = admin_client.get("/admin/auth/user/add/").content.decode()
    start = admin_client.post("/admin/auth/user/direct-uploads/password/", {})

    assert SCRIPT not in page
    assert start.status_code == 404
    assert type(admin.site._registry[User]) is UserAdmin


def test_every_model_admin_with_files_and_only_those_take_direct_uploads():
    with_files = {model for model in admin.site._registry if has_files(model)}
    with_uploads = {
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, DirectUploadsMixin)
    }

    assert UploadedFile in with_files
    assert with_uploads == with_files
