"""What a file with no preview is, in words (previews/kinds.py)."""

import pytest

from myapp.storage.content_types import served_content_type
from previews.kinds import kind

KINDS = {
    "report.pdf": "PDF",
    "archive.zip": "ZIP archive",
    "backup.tar.gz": "gzip archive",
    "backup.tar.xz": "xz archive",
    "backup.7z": "7-Zip archive",
    "letter.docx": "Word document",
    "letter.doc": "Word document",
    "letter.odt": "document",
    "budget.xlsx": "spreadsheet",
    "budget.ods": "spreadsheet",
    "slides.pptx": "presentation",
    "data.csv": "CSV",
    "data.json": "JSON",
    "notes.txt": "text",
    "notes.md": "text",
    "drawing.svg.txt": "text",
    "clip.mp4": "video",
    "clip.mov": "video",
    "song.mp3": "audio",
    "font.woff2": "font",
    "photo.heic": "HEIC image",
    "photo.png": "PNG image",
    "icon.ico": "image",
    "disk.iso": "file",
    "data.bin": "file",
    "no-extension": "file",
}


@pytest.mark.parametrize(("name", "expected"), KINDS.items())
def test_each_kind_of_file_is_named_in_a_word_or_two(name, expected):
    assert kind(served_content_type(name)) == expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [("image/svg+xml", "SVG image"), ("image/x-icon", "ICON image"), ("image/", "image")],
)
def test_an_image_is_named_by_its_subtype(content_type, expected):
    assert kind(content_type) == expected
