"""Storage DSNs translated into rclone remotes, and rclone's names of files read back."""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from copymedia.remotes import environment, file_name, remote, sas_token
from myapp.storage.dsn import secret_forms
from tests.helpers.dsns import SECRET, VALID

RCLONE = Path(sys.executable).with_name("rclone")
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
SAS = "sv=2025-01-05&sp=racwdl&sig=abc%2Bdef%3D"


@pytest.mark.parametrize("dsn", VALID)
def test_a_secret_travels_in_the_options_never_in_the_path(dsn):
    translated = remote(dsn)
    for form in secret_forms(dsn):
        assert form not in translated.path
    if secret_forms(dsn):
        assert any(SECRET in value for value in translated.options.values())


@pytest.mark.parametrize(
    ("dsn", "options", "path"),
    [
        (
            "file:///home/me/my%20project/media/?url=%2Fmedia%2F",
            {"type": "local", "encoding": "Raw"},
            "/home/me/my project/media/",
        ),
        (
            "s3://KEY:se%2Fcr%2Bet%3D@my-media.s3.eu-central-1.amazonaws.com/uploads/?auth=s3v4",
            {
                "provider": "AWS",
                "access_key_id": "KEY",
                "secret_access_key": "se/cr+et=",
                "endpoint": "https://s3.eu-central-1.amazonaws.com",
                "region": "eu-central-1",
                "v2_auth": "false",
            },
            "my-media/uploads",
        ),
        (
            "s3://KEY:SECRET@app.divio-media.org.s3.amazonaws.com/?domain=x",
            {"endpoint": "https://s3.amazonaws.com", "provider": "AWS"},
            "app.divio-media.org",
        ),
        (
            "s3://KEY:SECRET@my-media.sos-ch-dk-2.exo.io/?auth=s3&acl=private",
            {
                "provider": "Other",
                "endpoint": "https://sos-ch-dk-2.exo.io",
                "region": "ch-dk-2",
                "v2_auth": "true",
                "acl": "private",
            },
            "my-media",
        ),
        (
            "s3://KEY:SECRET@media.localhost/?acl=none&addressing_style=virtual",
            {"endpoint": "https://localhost", "acl": "", "force_path_style": "false"},
            "media",
        ),
        (
            "s3+http://KEY:SECRET@127.0.0.1:9000/media/a/b",
            {
                "endpoint": "http://127.0.0.1:9000",
                "force_path_style": "true",
                "acl": "public-read",
                "no_check_bucket": "true",
                "encoding": "Raw",
            },
            "media/a/b",
        ),
        (
            "s3+https://KEY:SECRET@r2.example.com/media?region=auto",
            {"endpoint": "https://r2.example.com", "region": "auto"},
            "media",
        ),
        (
            f"az://myaccount:{quote(AZURITE_KEY, safe='')}@blob.core.windows.net/media",
            {
                "type": "azureblob",
                "account": "myaccount",
                "key": AZURITE_KEY,
                "endpoint": "https://myaccount.blob.core.windows.net",
                "no_check_container": "true",
                "encoding": "Raw",
            },
            "media",
        ),
        (
            "az+http://devstoreaccount1:"
            + quote(AZURITE_KEY.rstrip("="), safe="")
            + "@127.0.0.1:10000/devstoreaccount1/media",
            {"key": AZURITE_KEY, "endpoint": "http://127.0.0.1:10000/devstoreaccount1"},
            "media",
        ),
        (
            "az+https://myaccount:"
            + quote(base64.b64encode(SAS.encode()), safe="")
            + "@myaccount.privatelink.blob.core.windows.net/media",
            {"sas_url": f"https://myaccount.privatelink.blob.core.windows.net/media?{SAS}"},
            "media",
        ),
    ],
)
def test_each_form_of_dsn_names_its_storage_as_the_project_does(dsn, options, path):
    translated = remote(dsn)
    assert translated.options | options == translated.options
    assert translated.path == path


def test_without_a_region_rclone_is_left_its_default():
    assert "region" not in remote("s3+http://KEY:SECRET@127.0.0.1:9000/media").options


def test_an_account_key_is_no_sas_token():
    assert sas_token(AZURITE_KEY) is None
    assert sas_token(base64.b64encode(SAS.encode()).decode()) == SAS


def test_a_sas_token_is_never_given_as_an_account_key():
    dsn = "az://myaccount:" + quote(base64.b64encode(SAS.encode()), safe="")
    options = remote(dsn + "@blob.core.windows.net/media").options
    assert not {"key", "account"} & set(options)


def test_folders_and_containers_exclude_the_names_they_cannot_keep_buckets_none():
    assert remote("file:///data/media/?url=%2Fmedia%2F").unstorable
    assert remote(f"az://a:{quote(AZURITE_KEY, safe='')}@blob.core.windows.net/media").unstorable
    assert remote("s3+http://KEY:SECRET@127.0.0.1:9000/media").unstorable is None


def test_the_options_become_rclones_variables_for_the_remote():
    assert environment("source", {"type": "s3", "secret_access_key": "x"}) == {
        "RCLONE_CONFIG_SOURCE_TYPE": "s3",
        "RCLONE_CONFIG_SOURCE_SECRET_ACCESS_KEY": "x",
    }


# Names whose characters rclone writes otherwise in its logs and reports.
AWKWARD_NAMES = [
    "control\x01\x1f\x7f.txt",
    "tab\tand\nnewline",
    "symbol \u2401 written as such",
    "quote \u201b and \u201b\u201b",
    "fullwidth \uff0f slash",
    "\uff0e",
    "\uff0e\uff0e",
    "dir.\uff0e/x",
    "back\\slash",
    "ünïcödé %41 #?+",
]


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_rclones_name_of_a_file_reads_back_as_the_files_name(name, tmp_path):
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(b"x")
    environ = {
        **os.environ,
        "RCLONE_CONFIG": os.devnull,
        **environment("folder", remote(f"file://{quote(str(tmp_path))}/?url=%2F").options),
    }
    listed = subprocess.run(
        [RCLONE, "lsjson", "--recursive", "--files-only", f"folder:{tmp_path}"],
        env=environ,
        capture_output=True,
        check=True,
    )
    (entry,) = json.loads(listed.stdout)
    assert file_name(entry["Path"]) == name
