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

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )
