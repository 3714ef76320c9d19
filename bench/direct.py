"""A direct upload from Chromium to S3, against boto3 uploading the same file to the same server.

    .venv/bin/python -m bench.direct [--size 1G] [--repeat 3] [--s3 moto] [--only checksums]

``upload-direct``: the admin's add form in Debian's Chromium (headless, Playwright), served by
gunicorn with the project's settings and one worker, DEBUG off; the file goes from the browser
straight to the S3 server on loopback (SeaweedFS, or moto with ``--s3 moto``), in parts, then the
form is saved. Timed from the click on Save to the server's answer to the saved form, against
boto3's ``upload_file`` of the same file to the same server. Where the time goes: ``sending``,
from the click to the last part in the bucket (the browser's request events); ``server_share``,
from there to the saved form's answer (completing the upload, checking it, saving the row); the
web worker's CPU time per GiB and memory growth, how little of the upload went through it.

``through_server``: the same file posted with the same form by a page without scripts, so
through the web server, which sends it to the bucket as it arrives; its ratio to the direct
upload in the same run.

``direct-checksums``: what verifying every part costs, on SeaweedFS (tests.helpers.seaweedfs),
which checks each part's SHA-256 as AWS does: the same upload through two gunicorn servers, one
whose DSN lets the browser compute each part's SHA-256 and the store verify it, the other's with
``checksums=when_required``, which sends none; timed alike, in turns, in the same run.
"""

import argparse
import contextlib
import time
from typing import NamedTuple
from urllib.parse import urlsplit

from bench import common
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.files import write_random_file
from tests.helpers.gunicorn import Gunicorn
from tests.helpers.seaweedfs import SeaweedFSServer

# The direct upload at most 1.1 times boto3's; from its last part to the saved form at most
# 0.3 s; the worker's CPU time at most 0.1 s per GiB, and its memory growth at most 8 MiB.
TARGET, SHARE_TARGET, CPU_TARGET, MEMORY_TARGET = 1.1, 0.3, 0.1, 8 * common.MiB
# Through the web server, at most 1.1 times the direct upload.
THROUGH_TARGET = 1.1
# What checking every part may cost: at most 5% of the upload's time.
CHECKSUM_TARGET = 1.05
LIST_PATH = "/admin/uploader/uploadedfile/"
ADD_URL = LIST_PATH + "add/"


def log_in(page, url):
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", common.ADMIN_USER)
    page.fill("#id_password", common.ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{url}/admin/")


class Upload(NamedTuple):
    """Where the time of one upload from the add form went, in seconds."""

    # From the click on Save to the browser's request for the list the saved form leads to.
    elapsed: float
    # From the click to the last part in the bucket; None when the browser sent no part.
    sending: float | None
    # The web worker's CPU time and memory growth meanwhile, when it was watched.
    worker_cpu: float
    worker_growth: int

    @property
    def server_share(self):
        """Return the seconds from the last part in the bucket to the saved form's answer."""
        return self.elapsed - self.sending


def upload_in_browser(page, url, path, worker=None):
    """Choose ``path`` on the add form at ``url``, click Save; return an ``Upload``.

    With ``worker`` (the web worker's pid), also its CPU time and memory growth meanwhile: what
    the upload cost the web server, the pages around it left out.
    """
    page.goto(url + ADD_URL)
    page.set_input_files("input[name=file]", path)
    cpu = common.cpu_seconds(worker) if worker else 0
    parts, answered = [], []

    def part_stored(request):
        # A part is in the bucket once the store has answered its PUT; the site's own requests
        # (the script's JSON) are not parts.
        if request.method == "PUT" and not request.url.startswith(url):
            parts.append(time.perf_counter())

    def list_requested(request):
        # The time and the worker's CPU are read as the browser asks for the list, so that the
        # worker's time rendering it is left out.
        if is_list(request.url) and not answered:
            spent = common.cpu_seconds(worker) - cpu if worker else 0
            answered.append((time.perf_counter(), spent))

    page.on("requestfinished", part_stored)
    page.on("request", list_requested)
    with common.PeakMemory(worker) if worker else contextlib.nullcontext() as memory:
        started = time.perf_counter()
        with page.expect_request(lambda request: is_list(request.url), timeout=600_000):
            page.click("input[name=_save]")
    page.wait_for_url(is_list)
    page.remove_listener("requestfinished", part_stored)
    page.remove_listener("request", list_requested)
    finished, worker_cpu = answered[0]
    return Upload(
        elapsed=finished - started,
        sending=max(parts) - started if parts else None,
        worker_cpu=worker_cpu,
        worker_growth=memory.growth if worker else 0,
    )


def is_list(url):
    """Return whether the URL is the admin's list of uploads, where a saved form leads."""
    return urlsplit(url).path == LIST_PATH


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", type=common.mebibytes, default="1G", help="file size: 1G, 256M (1G)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs, median reported (3)")
    parser.add_argument(
        "--only",
        choices=["direct", "checksums"],
        help="one case: upload-direct with through-server, or direct-checksums (SeaweedFS)",
    )
    common.add_s3_server_argument(parser)
    args = common.parse_arguments(
        parser, "64M, one run: the script works", size=64 * common.MiB, repeat=1
    )
    if args.only != "checksums":
        upload_direct(args)
    if args.only != "direct":
        checksum_cost(args)


def upload_direct(args):
    """Report ``upload-direct`` and ``through-server``: the browser's upload against boto3's."""
    from playwright.sync_api import sync_playwright

    server = None
    with (
        common.scratch_folder("direct") as folder,
        common.s3_site(args.s3, folder, UPLOAD_MAX_SIZE=str(args.size)) as site,
        sync_playwright() as playwright,
    ):
        client, bucket, environ = site
        source = folder / "video.bin"
        expected = write_random_file(source, args.size // common.MiB)
        try:
            server = Gunicorn(environ, folder / "gunicorn.log", "--workers=1")
            server.wait_for("/admin/login/", status=200)
            allow_browser_uploads(client, bucket, [server.url])
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = chromium.new_page()
            # A page without scripts posts the file with the form, through the web server.
            plain_page = chromium.new_context(java_script_enabled=False).new_page()
            for each in (page, plain_page):
                log_in(each, server.url)
            # The worker makes its S3 client (botocore's models loaded) on its first upload.
            warm_up = folder / "warm-up.bin"
            write_random_file(warm_up, 9)  # two parts: every step of a large upload
            for each in (page, plain_page):
                upload_in_browser(each, server.url, warm_up)
            empty_bucket(client, bucket)
            worker = server.worker_pid()
            directs, uploads, throughs = [], [], []
            for _ in range(args.repeat):
                directs.append(common.boto3_upload_seconds(client, source, bucket))
                uploads.append(upload_in_browser(page, server.url, source, worker))
                common.check_and_delete(client, bucket, expected)
                throughs.append(upload_in_browser(plain_page, server.url, source).elapsed)
                common.check_and_delete(client, bucket, expected)
            chromium.close()
        finally:
            if server:
                server.stop()
    gib = args.size / (1024 * common.MiB)
    elapsed = common.median([upload.elapsed for upload in uploads])
    direct = common.median(directs)
    cpu_per_gib = common.median([upload.worker_cpu for upload in uploads]) / gib
    server_share = common.median([upload.server_share for upload in uploads])
    growth = max(upload.worker_growth for upload in uploads)
    common.report(
        "upload-direct",
        elapsed / direct,
        TARGET,
        upload=common.seconds(elapsed),
        boto3=common.seconds(direct),
        sending=common.seconds(common.median([upload.sending for upload in uploads])),
        server_share=common.seconds(server_share),
        share_target=common.seconds(SHARE_TARGET),
        share="met" if server_share <= SHARE_TARGET else "MISSED",
        worker_cpu_per_gib=common.seconds(cpu_per_gib),
        cpu_target=common.seconds(CPU_TARGET),
        cpu="met" if cpu_per_gib <= CPU_TARGET else "MISSED",
        worker_peak=common.mib(growth),
        memory_target=common.mib(MEMORY_TARGET),
        memory="met" if growth <= MEMORY_TARGET else "MISSED",
        **what_was_sent(args, args.s3),
    )
    through = common.median(throughs)
    common.report(
        "through-server",
        through / elapsed,
        THROUGH_TARGET,
        through_server=common.seconds(through),
        direct=common.seconds(elapsed),
        **what_was_sent(args, args.s3),
    )


def what_was_sent(args, store):
    """Return the details that end each line: the file's size, the store, the runs."""
    return {"size": f"{args.size // common.MiB}MiB", "store": store, "runs": args.repeat}


def allow_browser_uploads(client, bucket, origins):
    """Let the sites at ``origins`` send parts to ``bucket``, as ``allowdirectuploads`` does."""
    rule = {"AllowedOrigins": origins, "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]}
    client.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})


def empty_bucket(client, bucket):
    """Delete what the warm-up uploads stored."""
    for listed in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=listed["Key"])


def checksum_cost(args):
    """Report ``direct-checksums``: the upload with every part's SHA-256 against without."""
    from playwright.sync_api import sync_playwright

    servers = []
    with common.scratch_folder("checksums") as folder, sync_playwright() as playwright:
        seaweedfs = SeaweedFSServer(folder / "seaweedfs")
        try:
            bucket = seaweedfs.new_bucket()
            source = folder / "video.bin"
            expected = write_random_file(source, args.size // common.MiB)
            pages = {}
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for case, dsn in (
                ("checked", bucket.dsn),
                ("unchecked", bucket.dsn + "?checksums=when_required"),
            ):
                site = folder / case
                site.mkdir()
                environ = common.site_environment(site, dsn, UPLOAD_MAX_SIZE=str(args.size))
                common.prepare_site(environ)
                server = Gunicorn(environ, site / "gunicorn.log", "--workers=1")
                servers.append(server)
                server.wait_for("/admin/login/", status=200)
                page = chromium.new_page()
                log_in(page, server.url)
                pages[case] = (page, server)
            allow_browser_uploads(
                bucket.client, bucket.name, [server.url for _, server in pages.values()]
            )
            warm_up = folder / "warm-up.bin"
            write_random_file(warm_up, 9)
            for page, server in pages.values():
                upload_in_browser(page, server.url, warm_up)
                empty_bucket(bucket.client, bucket.name)
            times = {case: [] for case in pages}
            for run in range(args.repeat):
                # In turns, the first of each run alternating: neither gains from the cache.
                for case in sorted(pages, reverse=bool(run % 2)):
                    page, server = pages[case]
                    times[case].append(upload_in_browser(page, server.url, source).elapsed)
                    common.check_and_delete(bucket.client, bucket.name, expected)
            chromium.close()
        finally:
            for server in servers:
                server.stop()
            seaweedfs.stop()
    checked, unchecked = common.median(times["checked"]), common.median(times["unchecked"])
    common.report(
        "direct-checksums",
        checked / unchecked,
        CHECKSUM_TARGET,
        checked=common.seconds(checked),
        unchecked=common.seconds(unchecked),
        **what_was_sent(args, "seaweedfs"),
    )


if __name__ == "__main__":
    main()
