"""A direct upload from Chromium to S3, against boto3 uploading the same file to the same server.

    .venv/bin/python -m bench.direct [--size 1G] [--repeat 3] [--quick] [--only checksums]

``upload-direct``: the admin's add form in Debian's Chromium (headless, Playwright), served by
gunicorn with the project's settings and one worker, DEBUG off; the file goes from the browser
straight to a moto server on loopback, in parts, then the form is saved. Timed from the click on
Save to the server's answer to the saved form, against boto3's ``upload_file`` of the same file
to the same server. The web worker's CPU time and memory growth meanwhile say how little of the
upload went through the web server.

``same_requests`` is the ratio against boto3 making the requests the browser makes: boto3 sends a
CRC32 of every part by default, which the browser does not, and without them the server checksums
the whole object when the upload completes.

``direct-checksums``: what verifying every part costs, on SeaweedFS (tests.helpers.seaweedfs),
which checks each part's SHA-256 as AWS does: the same upload through two gunicorn servers, one
whose DSN lets the browser compute each part's SHA-256 and the store verify it, the other's with
``checksums=when_required``, which sends none; timed alike, in turns, in the same run.
"""

import argparse
import contextlib
import time
from urllib.parse import urlsplit

from botocore.config import Config

from bench import common
from tests.helpers import s3
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.files import write_random_file
from tests.helpers.gunicorn import Gunicorn
from tests.helpers.ports import free_port
from tests.helpers.seaweedfs import SeaweedFSServer

TARGET, CPU_TARGET, MEMORY_TARGET = 1.05, 0.1, 8 * common.MiB
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


def upload_in_browser(page, url, path, worker=None):
    """Seconds from the click on Save to the server's answer to the saved form.

    With ``worker``, also the worker's CPU seconds and memory growth meanwhile: what the upload
    cost the web server, the pages around it left out.
    """
    page.goto(url + ADD_URL)
    page.set_input_files("input[name=file]", path)
    cpu = common.cpu_seconds(worker) if worker else 0
    spent = []

    def measure_before_the_list(request):
        # Read as the browser asks for the list that the saved form redirects to, so that the
        # worker's time rendering it is left out.
        if is_list(request.url) and not spent:
            spent.append(common.cpu_seconds(worker) - cpu if worker else 0)

    page.on("request", measure_before_the_list)
    with common.PeakMemory(worker) if worker else contextlib.nullcontext() as memory:
        started = time.perf_counter()
        with page.expect_response(
            lambda response: response.request.method == "POST" and response.url.endswith(ADD_URL),
            timeout=600_000,
        ):
            page.click("input[name=_save]")
        elapsed = time.perf_counter() - started
    page.wait_for_url(is_list)
    page.remove_listener("request", measure_before_the_list)
    return elapsed, spent[0], memory.growth if worker else 0


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
        help="one case: upload-direct (moto) or direct-checksums (SeaweedFS)",
    )
    args = common.parse_arguments(
        parser, "64M, one run: the script works", size=64 * common.MiB, repeat=1
    )
    if args.only != "checksums":
        upload_direct(args)
    if args.only != "direct":
        checksum_cost(args, expected_size=args.size)


def upload_direct(args):
    """Report ``upload-direct``: the browser's upload against boto3's, on moto."""
    from playwright.sync_api import sync_playwright

    moto = s3.MotoServer(free_port())
    client, bucket = moto.client(), "bench"
    unchecked = moto.client(Config(request_checksum_calculation="when_required"))
    client.create_bucket(Bucket=bucket)
    server = None
    try:
        with common.scratch_folder("direct") as folder, sync_playwright() as playwright:
            source = folder / "video.bin"
            expected = write_random_file(source, args.size // common.MiB)
            environ = common.site_environment(
                folder, moto.dsn(bucket), UPLOAD_MAX_SIZE=str(args.size)
            )
            common.prepare_site(environ)
            server = Gunicorn(environ, folder / "gunicorn.log", "--workers=1")
            server.wait_for("/admin/login/", status=200)
            client.put_bucket_cors(
                Bucket=bucket,
                CORSConfiguration={
                    "CORSRules": [
                        {
                            "AllowedOrigins": [server.url],
                            "AllowedMethods": ["PUT"],
                            "AllowedHeaders": ["*"],
                        }
                    ]
                },
            )
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = chromium.new_page()
            log_in(page, server.url)
            # The worker makes its S3 client (botocore's models loaded) on its first upload.
            warm_up = folder / "warm-up.bin"
            write_random_file(warm_up, 9)  # two parts: every step of a large upload
            upload_in_browser(page, server.url, warm_up)
            for listed in client.list_objects_v2(Bucket=bucket)["Contents"]:
                client.delete_object(Bucket=bucket, Key=listed["Key"])
            worker = server.worker_pid()
            ratios, uploads, directs, cpus, growths = [], [], [], [], []
            same_requests, plains = [], []
            for _ in range(args.repeat):
                directs.append(common.boto3_upload_seconds(client, source, bucket))
                plains.append(common.boto3_upload_seconds(unchecked, source, bucket))
                elapsed, cpu, growth = upload_in_browser(page, server.url, source, worker)
                uploads.append(elapsed)
                cpus.append(cpu)
                growths.append(growth)
                ratios.append(elapsed / directs[-1])
                same_requests.append(elapsed / plains[-1])
                common.check_and_delete(client, bucket, expected)
            chromium.close()
    finally:
        if server:
            server.stop()
        moto.stop()
    common.report(
        "upload-direct",
        common.median(ratios),
        TARGET,
        upload=common.seconds(common.median(uploads)),
        direct=common.seconds(common.median(directs)),
        same_requests=f"{common.median(same_requests):.2f}",
        direct_unchecked=common.seconds(common.median(plains)),
        size=f"{args.size // common.MiB}MiB",
        worker_cpu=common.seconds(common.median(cpus)),
        cpu_target=common.seconds(CPU_TARGET),
        cpu="met" if common.median(cpus) <= CPU_TARGET else "MISSED",
        worker_peak=common.mib(max(growths)),
        memory_target=common.mib(MEMORY_TARGET),
        memory="met" if max(growths) <= MEMORY_TARGET else "MISSED",
        runs=args.repeat,
    )


def checksum_cost(args, expected_size):
    """Report ``direct-checksums``: the upload with every part's SHA-256 against without."""
    from playwright.sync_api import sync_playwright

    servers = []
    with common.scratch_folder("checksums") as folder, sync_playwright() as playwright:
        seaweedfs = SeaweedFSServer(folder / "seaweedfs")
        try:
            bucket = seaweedfs.new_bucket()
            source = folder / "video.bin"
            expected = write_random_file(source, expected_size // common.MiB)
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
            bucket.client.put_bucket_cors(
                Bucket=bucket.name,
                CORSConfiguration={
                    "CORSRules": [
                        {
                            "AllowedOrigins": [server.url for _, server in pages.values()],
                            "AllowedMethods": ["PUT"],
                            "AllowedHeaders": ["*"],
                        }
                    ]
                },
            )
            warm_up = folder / "warm-up.bin"
            write_random_file(warm_up, 9)
            for page, server in pages.values():
                upload_in_browser(page, server.url, warm_up)
                for listed in bucket.client.list_objects_v2(Bucket=bucket.name)["Contents"]:
                    bucket.client.delete_object(Bucket=bucket.name, Key=listed["Key"])
            times = {case: [] for case in pages}
            for run in range(args.repeat):
                # In turns, the first of each run alternating: neither gains from the cache.
                for case in sorted(pages, reverse=bool(run % 2)):
                    page, server = pages[case]
                    times[case].append(upload_in_browser(page, server.url, source)[0])
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
        size=f"{expected_size // common.MiB}MiB",
        store="SeaweedFS",
        runs=args.repeat,
    )


if __name__ == "__main__":
    main()
