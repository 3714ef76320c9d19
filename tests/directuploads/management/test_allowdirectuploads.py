"""`manage.py allowdirectuploads`: the CORS rule direct uploads need, applied for the site."""

from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from directuploads import cors

pytestmark = pytest.mark.django_db


def allow(*args):
    out = StringIO()
    call_command("allowdirectuploads", *args, stdout=out)
    return out.getvalue()


def test_the_site_s_origins_are_allowed_in_the_bucket(s3_bucket, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.com", "https://www.example.com"]

    output = allow()

    assert output.startswith(
        'Direct uploads allowed: {"AllowedOrigins": ["https://app.example.com"'
    )
    assert cors.allows(default_storage, "https://www.example.com")
    assert not cors.allows(default_storage, "https://elsewhere.example.com")


def test_a_local_origin_is_allowed_in_azure(azure_container, azurite):
    allow("--origin", "http://127.0.0.1:8000")

    assert cors.allows(default_storage, "http://127.0.0.1:8000")
    azurite.client().set_service_properties(cors=[])


def test_file_storage_takes_no_direct_uploads():
    with pytest.raises(CommandError, match="FileSystemStorage takes no direct uploads"):
        allow("--origin", "http://127.0.0.1:8000")
