"""`manage.py checkstorage`, as direct uploads extend it: whether browsers may send uploads."""

from io import StringIO

import pytest
from django.core.management import call_command, get_commands, load_command_class

from directuploads.management.commands.checkstorage import Command

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db


def check(*args):
    out = StringIO()
    call_command("checkstorage", *args, stdout=out)
    return out.getvalue()


def test_manage_py_runs_the_extended_command():
    assert isinstance(load_command_class(get_commands()["checkstorage"], "checkstorage"), Command)


def test_a_bucket_allowing_the_site_says_so(s3_bucket):
    s3_bucket.client.put_bucket_cors(
        Bucket=s3_bucket.name,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": ["https://app.example.com"],
                    "AllowedMethods": ["PUT"],
                    "AllowedHeaders": ["*"],
                }
            ]
        },
    )
    output = check("--origin", "https://app.example.com", "--origin", "https://b.example.com")
    assert "  cors    direct uploads from https://app.example.com are allowed\n" in output
    assert "direct uploads from https://b.example.com are refused" in output
    assert "python manage.py allowdirectuploads" in output


def test_a_folder_has_no_cors_to_check(media_dir):
    assert "  cors  " not in check("--origin", "https://app.example.com")
