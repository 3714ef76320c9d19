"""A direct upload from Chromium to S3, against boto3 uploading the same file to the same server.

    .venv/bin/python -m bench.direct [--size 1G] [--repeat 3] [--quick]

``upload-direct``: the admin's add form in Debian's Chromium (headless, Playwright), served by
gunicorn with the project's settings and one worker, DEBUG off; the file goes from the browser
straight to a moto server on loopback, in parts, then the form is saved. Timed from the click on
Save to the server's answer to the saved form, against boto3's ``upload_file`` of the same file
to the same server. The web worker's CPU time and memory growth meanwhile say how little of the
upload went through the web server.

``same_requests`` is the ratio against boto3 making the requests the browser makes: boto3 sends a
CRC32 of every part by default, which the browser does not, and without them the server checksums
the whole object when the upload completes.
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

TARGET, CPU_TARGET, MEMORY_TARGET = 1.05, 0.1, 8 * common.MiB
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
    args = common.parse_arguments(
        parser, "64M, one run: the script works", size=64 * common.MiB, repeat=1
    )
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
                    "CORSRules": [{"AllowedOrigins": [server.url], "AllowedMethods": ["PUT"]}]
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


if __name__ == "__main__":
    main()
