"""Debian's Chromium, headless, driven by Playwright, for the tests of what a user sees."""

import struct
import zlib
from pathlib import Path

from tests.helpers.project import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Headless as root in a container: no sandbox, no GPU, and nothing fetched from Google's servers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "browser"


def png(width, height, blue):
    """Return a real PNG image, a colour gradient, so that an opened link shows a picture."""
    pixels = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, blue)) for x in range(width))
        for y in range(height)
    )
    return png_file(width, height, zlib.compress(pixels))


def png_file(width, height, data):
    """Return a PNG file of ``width`` by ``height`` RGB pixels whose compressed rows are ``data``,
    written by hand so that it may claim what it likes."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def log_in(page, user, password="password"):
    """Log in to the admin as ``user`` (pytest-django's admin_user has "password")."""
    from playwright.sync_api import expect

    page.goto("/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("Django administration")


def throttle_uploads(page, bytes_per_second):
    """Make the page send no faster than ``bytes_per_second``, as a person's connection does."""
    session = page.context.new_cdp_session(page)
    session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )
