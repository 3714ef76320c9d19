"""How long ``/healthz`` takes while fifty slow uploads are in progress, classic and direct.

    .venv/bin/python -m bench.responsive [--uploads 50] [--quick]

The site runs under gunicorn with the project's gunicorn.conf.py (its workers and threads),
DEBUG off, on S3 storage (a moto server on loopback). Each upload sends 3 MB at 100 KB/s, as a
person's line might:

- ``responsive-classic``: the admin's add form posted with the file, through the web server.
- ``responsive-direct``: the file sent to the bucket in parts, as the admin's script does, the web
  server only signing and completing.

While all of them are sending, ``/healthz`` is asked every quarter of a second; each line gives
its median and worst answer time, against its median with nothing else going on (``idle``).
"""

import argparse
import http.client
import re
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests

from bench import common
from tests.helpers import direct as direct_client
from tests.helpers import s3
from tests.helpers.gunicorn import Gunicorn
from tests.helpers.ports import free_port

WORST_TARGET = 1.0
SIZE, RATE = 3_000_000, 100_000  # bytes, bytes per second, as the issue measured
PIECE = 10_000
SETTLING = 5  # seconds at most for the uploads to have started
ADD_URL = "/admin/uploader/uploadedfile/add/"


def logged_in(base):
    session = requests.Session()
    login = f"{base}/admin/login/"
    page = session.get(login, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    session.post(
        login,
        data={
            "username": common.ADMIN_USER,
            "password": common.ADMIN_PASSWORD,
            "csrfmiddlewaretoken": token,
        },
        timeout=30,
    )
    return session


def trickle(host, port, method, path, body, headers):
    """Send ``body`` at RATE bytes per second; return the answer's status."""
    connection = http.client.HTTPConnection(host, port, timeout=300)
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in {**headers, "Content-Length": str(len(body))}.items():
        connection.putheader(name, value)
    connection.endheaders()
    for start in range(0, len(body), PIECE):
        connection.send(body[start : start + PIECE])
        time.sleep(PIECE / RATE)
    status = connection.getresponse().status
    connection.close()
    return status


def classic_upload(base, session, number, size):
    page = session.get(base + ADD_URL, timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    boundary = "slow-upload-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="slow-{number}.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + bytes(size)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    url = urlsplit(base)
    cookies = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    status = trickle(
        url.hostname,
        url.port,
        "POST",
        ADD_URL,
        body,
        {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": cookies,
            "Origin": base,
        },
    )
    if status != 302:
        raise RuntimeError(f"a classic upload ended with {status}")


def direct_upload(base, session, number, size):
    api = direct_client.SessionApi(session, base)
    started = direct_client.start(api, f"slow-{number}.bin", size)
    content = bytes(size)
    # One part, signed with its checksum as the script signs it, sent with the headers signed.
    signed = direct_client.sign(api, started, content, [1])
    url, headers = urlsplit(signed["urls"]["1"]), signed["headers"]["1"]
    if trickle(url.hostname, url.port, "PUT", f"{url.path}?{url.query}", content, headers) != 200:
        raise RuntimeError("a direct upload's part was refused")
    _, completed = api.post(started["urls"]["complete"], {})
    saved = api.save(completed["token"])
    if not saved.url.endswith("/admin/uploader/uploadedfile/"):
        raise RuntimeError(f"a direct upload's form was not saved: {saved.status_code}")


def healthz_times(base, stop):
    """Ask /healthz every quarter of a second until ``stop`` is set; return the answer times."""
    times = []
    while not stop.is_set():
        started = time.perf_counter()
        requests.get(f"{base}/healthz", timeout=120)
        times.append(time.perf_counter() - started)
        stop.wait(0.25)
    return times


def measure(case, base, upload, count, size, idle):
    sessions = [logged_in(base) for _ in range(count)]
    with ThreadPoolExecutor(count) as pool:
        uploads = [pool.submit(upload, base, sessions[n], n, size) for n in range(count)]
        # Asked while every upload is sending its file: not while they start, nor once the
        # first is done.
        settling = min(SETTLING, size / RATE / 4)
        time.sleep(settling)
        times = healthz_times_for(base, size / RATE - 2 * settling)
        for finished in uploads:
            finished.result()
    worst = max(times)
    common.report(
        case,
        statistics.median(times) / idle,
        healthz_median=common.seconds(statistics.median(times)),
        healthz_worst=common.seconds(worst),
        idle=common.seconds(idle),
        worst_target=common.seconds(WORST_TARGET),
        worst_verdict="met" if worst <= WORST_TARGET else "MISSED",
        uploads=count,
        answers=len(times),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=50, help="slow uploads at once (50)")
    parser.add_argument("--size", type=int, default=SIZE, help=f"bytes per upload ({SIZE})")
    args = common.parse_arguments(parser, "5 uploads of 800 kB", uploads=5, size=800_000)
    moto = s3.MotoServer(free_port())
    moto.client().create_bucket(Bucket="bench")
    server = None
    try:
        with common.scratch_folder("responsive") as folder:
            environ = common.site_environment(folder, moto.dsn("bench"))
            common.prepare_site(environ)
            server = Gunicorn(environ, folder / "gunicorn.log")
            server.wait_for("/admin/login/", status=200)
            idle = statistics.median(healthz_times_for(server.url, 2.0))
            measure("responsive-classic", server.url, classic_upload, args.uploads, args.size, idle)
            measure("responsive-direct", server.url, direct_upload, args.uploads, args.size, idle)
    finally:
        if server:
            server.stop()
        moto.stop()


def healthz_times_for(base, duration):
    stop = threading.Event()
    threading.Timer(duration, stop.set).start()
    return healthz_times(base, stop)


if __name__ == "__main__":
    main()
