"""`manage.py copymedia --from DSN [--to DSN]`: media moved between a folder and buckets on a real
S3 server, checked byte for byte, as a user moving ./data/media to the cloud and back does."""

import os
import signal
import subprocess
import sys
import time
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command

from myapp.storage.checksums import part_size
from myapp.storage.folders import TEMPORARY_PREFIX
from tests.helpers import s3
from tests.helpers.copies import (
    fill_bucket,
    fill_folder,
    folder_dsn,
    in_bucket,
    in_container,
    in_folder,
    upload_in_parts,
)
from tests.helpers.project import ROOT
from tests.helpers.traffic import record_traffic

# Saving to a cloud storage looks up the names that uploads in progress hold.
pytestmark = pytest.mark.django_db

FILES = {
    "report.pdf": b"%PDF-1.4 a report\n" + bytes(range(256)) * 40,
    "photos/2024/beach.jpg": os.urandom(300_000),
    "empty.txt": b"",
    "naïve café.txt": "Grüße\n".encode(),
    "big.bin": os.urandom(part_size() + 1000),  # uploaded in parts, so its ETag is no MD5
}


def copymedia(*args):
    """``(stdout, stderr, exit status)`` of the command."""
    out, err = StringIO(), StringIO()
    try:
        call_command("copymedia", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return out.getvalue(), err.getvalue(), status


def summary(output):
    return output.splitlines()[-1]


@pytest.fixture
def data_media(tmp_path):
    """A checkout's data/media with uploads in it."""
    folder = tmp_path / "data" / "media"
    fill_folder(folder, FILES)
    return folder


def test_data_media_goes_into_the_bucket_byte_for_byte_and_a_second_run_copies_nothing(
    data_media, s3_bucket
):
    out, err, status = copymedia("--from", folder_dsn(data_media))  # --to: DEFAULT_STORAGE_DSN
    assert (summary(out), err, status) == ("copied 5, skipped 0, failed 0", "", 0)
    assert in_bucket(s3_bucket) == FILES

    out, err, status = copymedia("--from", folder_dsn(data_media))
    assert (summary(out), err, status) == ("copied 0, skipped 5, failed 0", "", 0)
    assert s3.SECRET not in out
    assert quote(s3.SECRET, safe="") not in out


def test_a_bucket_goes_into_a_folder_and_into_another_bucket(s3_server, tmp_path):
    source, other = s3_server.new_bucket(), s3_server.new_bucket()
    fill_bucket(source, FILES)

    out, _, status = copymedia("--from", source.dsn, "--to", folder_dsn(tmp_path / "copy"))
    assert (summary(out), status) == ("copied 5, skipped 0, failed 0", 0)
    assert in_folder(tmp_path / "copy") == FILES

    out, _, status = copymedia("--from", source.dsn, "--to", other.dsn)
    assert (summary(out), status) == ("copied 5, skipped 0, failed 0", 0)
    assert in_bucket(other) == FILES
    out, _, _ = copymedia("--from", source.dsn, "--to", other.dsn)
    assert summary(out) == "copied 0, skipped 5, failed 0"


def test_a_bucket_is_copied_within_its_endpoint_by_s3_and_then_found_identical(
    s3_server, monkeypatch
):
    source, other = s3_server.new_bucket(), s3_server.new_bucket()
    fill_bucket(source, {name: content for name, content in FILES.items() if name != "big.bin"})
    upload_in_parts(source, "big.bin", FILES["big.bin"], part_size())
    traffic = record_traffic(monkeypatch)

    out, _, status = copymedia("--from", source.dsn, "--to", other.dsn, "--jobs", "2")
    assert (summary(out), status) == ("copied 5, skipped 0, failed 0", 0)
    assert traffic.bytes() < 100_000  # listings and requests: no file passed through here
    assert len(traffic.with_header("x-amz-copy-source")) == 5

    traffic.clear()
    out, _, _ = copymedia("--from", source.dsn, "--to", other.dsn)
    assert summary(out) == "copied 0, skipped 5, failed 0"
    assert traffic.bytes() < 100_000  # big.bin, now an MD5 there, was not read either
    assert in_bucket(other) == FILES


def test_jobs_are_at_least_one(data_media, s3_bucket):
    with pytest.raises(CommandError, match=r"--jobs/--transfers: must be 1 or more"):
        copymedia("--from", folder_dsn(data_media), "--jobs", "0")


def test_names_are_kept_changed_files_replaced_and_nothing_deleted_unless_asked(
    data_media, s3_bucket
):
    fill_bucket(
        s3_bucket,
        {
            "report.pdf": b"an older report",  # same name, other bytes
            "empty.txt": b"",  # already there
            "big.bin": FILES["big.bin"][::-1],  # same size, other bytes
            "only-in-the-bucket.txt": b"keep me",
        },
    )

    out, _, status = copymedia("--from", folder_dsn(data_media))
    assert (summary(out), status) == ("copied 4, skipped 1, failed 0", 0)
    assert in_bucket(s3_bucket) == {**FILES, "only-in-the-bucket.txt": b"keep me"}

    out, _, status = copymedia("--from", folder_dsn(data_media), "--delete")
    assert out.splitlines()[-2:] == ["deleted 1", "copied 0, skipped 5, failed 0"]
    assert in_bucket(s3_bucket) == FILES


def test_a_file_that_fails_is_named_and_the_others_are_copied(s3_server, tmp_path):
    """An object whose name would climb out of the folder is refused, not written outside it."""
    source = s3_server.new_bucket()
    fill_bucket(source, {"a.txt": b"a", "../escape.txt": b"x", "b.txt": b"b"})

    out, err, status = copymedia("--from", source.dsn, "--to", folder_dsn(tmp_path / "copy"))
    assert (summary(out), status) == ("copied 2, skipped 0, failed 1", 1)
    assert err.startswith("failed ../escape.txt: ")
    assert in_folder(tmp_path) == {"copy/a.txt": b"a", "copy/b.txt": b"b"}


def test_a_wrong_dsn_or_the_same_storage_twice_is_refused(data_media, s3_bucket):
    with pytest.raises(CommandError, match=r"^--from is not a usable storage DSN: it has no cred"):
        copymedia("--from", "s3+http://KEY@127.0.0.1:9000/media")
    with pytest.raises(
        CommandError, match=r"^--from and DEFAULT_STORAGE_DSN name the same storage"
    ):
        copymedia("--from", s3_bucket.dsn)
    with pytest.raises(CommandError, match=r"^Cannot list --from: No such file or directory: "):
        copymedia("--from", folder_dsn(data_media / "nothing"))


# Interrupted copies: the command killed (as by a closed terminal or a stopped container) while a
# large file is on its way, then run again.

LARGE = 64 * 1024 * 1024


def start_copy(source, destination):
    """The command in a process of its own, copying one file at a time: the largest first, so
    that the small one is still to copy when the large one is under way."""
    environ = {"PATH": os.environ["PATH"], "DJANGO_DEBUG": "True"}
    s3.isolate_from_aws_configuration(environ)
    command = ["manage.py", "copymedia", "--from", source, "--to", destination, "--jobs", "1"]
    return subprocess.Popen(
        [sys.executable, *command],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def kill_when(process, happened, timeout=60):
    deadline = time.monotonic() + timeout
    while not happened():
        assert process.poll() is None, f"the copy ended first: {process.stderr.read().decode()}"
        assert time.monotonic() < deadline, "the copy never got that far"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_a_copy_into_a_folder_killed_half_way_leaves_no_partial_file(s3_server, tmp_path):
    source, destination = s3_server.new_bucket(), tmp_path / "copy"
    files = {"large.bin": os.urandom(LARGE), "small.txt": b"small"}
    fill_bucket(source, files)
    copy = start_copy(source.dsn, folder_dsn(destination))

    def half_written():
        partial = list(destination.glob(f"{TEMPORARY_PREFIX}*"))
        return partial and 0 < partial[0].stat().st_size < LARGE

    kill_when(copy, half_written)
    # Only the hidden temporary file: nothing stands under the name of the file being copied.
    (left,) = destination.iterdir()
    assert left.name.startswith(TEMPORARY_PREFIX)

    out, _, status = copymedia("--from", source.dsn, "--to", folder_dsn(destination))
    assert (summary(out), status) == ("copied 2, skipped 0, failed 0", 0)
    assert in_folder(destination) == files  # the killed copy's leftover is gone


def test_a_copy_into_a_bucket_killed_half_way_leaves_no_partial_object(s3_bucket, tmp_path):
    source = tmp_path / "media"
    files = {"large.bin": os.urandom(LARGE), "small.txt": b"small"}
    fill_folder(source, files)
    copy = start_copy(folder_dsn(source), s3_bucket.dsn)

    def uploading():
        return s3_bucket.client.list_multipart_uploads(Bucket=s3_bucket.name).get("Uploads")

    kill_when(copy, uploading)
    assert in_bucket(s3_bucket) == {}

    out, _, status = copymedia("--from", folder_dsn(source))
    assert (summary(out), status) == ("copied 2, skipped 0, failed 0", 0)
    assert in_bucket(s3_bucket) == files


# Azure Blob Storage, against Azurite


def test_a_bucket_goes_into_an_azure_container_and_back_byte_for_byte(
    s3_server, s3_bucket, azurite
):
    files = {
        "report.pdf": FILES["report.pdf"],
        "2024/photos/café au lait.jpg": os.urandom(300_000),
        "large.bin": os.urandom(9 * 1024 * 1024),  # more than one S3 part
        "empty.txt": b"",
    }
    fill_bucket(s3_bucket, files)
    container, back = azurite.new_container(), s3_server.new_bucket()

    out, _, status = copymedia("--from", s3_bucket.dsn, "--to", container.dsn)
    assert (summary(out), status) == ("copied 4, skipped 0, failed 0", 0)
    assert in_container(container) == files
    out, _, _ = copymedia("--from", s3_bucket.dsn, "--to", container.dsn)
    assert summary(out) == "copied 0, skipped 4, failed 0"

    out, _, status = copymedia("--from", container.dsn, "--to", back.dsn)
    assert (summary(out), status) == ("copied 4, skipped 0, failed 0", 0)
    assert in_bucket(back) == files


def test_a_container_is_copied_within_its_account_by_the_service(azurite, monkeypatch):
    source, other = azurite.new_container(), azurite.new_container()
    for name, content in FILES.items():
        source.client.upload_blob(name, content)
    traffic = record_traffic(monkeypatch)

    out, _, status = copymedia("--from", source.dsn, "--to", other.dsn)
    assert (summary(out), status) == ("copied 5, skipped 0, failed 0", 0)
    assert traffic.bytes() < 100_000
    out, _, _ = copymedia("--from", source.dsn, "--to", other.dsn)
    assert summary(out) == "copied 0, skipped 5, failed 0"
    assert in_container(other) == FILES
