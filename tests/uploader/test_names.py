"""The name an upload is stored under: inside the storage, short enough for the column and the
file system, and never a page a browser would run."""

import pytest

from uploader.names import MAX_BYTES, MAX_CHARACTERS, storage_name


@pytest.mark.parametrize(
    ("uploaded", "stored"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.txt", "win.txt"),
        ("C:evil.txt", "Cevil.txt"),
        ("a\x00b.txt", "ab.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # shown as "invoiceexe.pdf"
        ("re\u0301sume\u0301.pdf", "r\u00e9sum\u00e9.pdf"),  # macOS sends NFD
        ("履歴書 2024.pdf", "履歴書_2024.pdf"),
        ("ملف مهم.pdf", "ملف_مهم.pdf"),
        ("my report (final).pdf", "my_report_final.pdf"),
        (".htaccess", "htaccess"),
        ("-rf", "rf"),
        ("....", "file"),
        ("!!!", "file"),
        ("", "file"),
    ],
)
def test_names_keep_only_safe_characters(uploaded, stored):
    assert storage_name(uploaded)[0] == stored


@pytest.mark.parametrize(
    ("uploaded", "content_type"),
    [
        ("report.pdf", "application/pdf"),
        ("photo.PNG", "image/png"),
        ("notes.txt", "text/plain"),
        ("archive.tar.gz", "application/gzip"),  # the bytes stored, not what they unpack to
        ("backup.tgz", "application/gzip"),
        ("logs.xz", "application/x-xz"),
        ("README", "application/octet-stream"),
    ],
)
def test_the_content_type_is_the_one_the_name_is_served_with(uploaded, content_type):
    assert storage_name(uploaded) == (uploaded, content_type)


@pytest.mark.parametrize(
    ("uploaded", "stored"),
    [
        ("page.html", "page.html.txt"),
        ("PAGE.HTM", "PAGE.HTM.txt"),
        ("image.svg", "image.svg.txt"),
        ("image.svgz", "image.svgz.txt"),
        ("page.html.gz", "page.html.gz.txt"),
        ("data.xml", "data.xml.txt"),
        ("style.xsl", "style.xsl.txt"),
    ],
)
def test_pages_that_would_run_scripts_are_stored_as_text(uploaded, stored):
    assert storage_name(uploaded) == (stored, "text/plain")


@pytest.mark.parametrize("letter", ["x", "é", "履", "😀a"])
def test_long_names_are_shortened_and_keep_their_extension(letter):
    name, content_type = storage_name(letter * 300 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name) > len(".pdf") + 10
    assert len(name) <= MAX_CHARACTERS
    assert len(name.encode()) <= MAX_BYTES
    assert content_type == "application/pdf"


def test_a_long_tail_after_the_last_dot_is_part_of_the_name():
    assert storage_name("notes." + "b" * 40) == ("notes." + "b" * 40, "application/octet-stream")
