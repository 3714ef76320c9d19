"""The name an upload is stored under: inside the storage, short enough for the column and the
file system, and never a page a browser would run."""

import pytest

from myapp.storage.content_types import served_content_type
from myapp.storage.names import MAX_BYTES, MAX_CHARACTERS, is_private, private_name, valid_name


def storage_name(uploaded):
    name = valid_name(uploaded)
    return name, served_content_type(name)


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
    "uploaded", ["report.pdf", "photo.PNG", "notes.txt", "archive.tar.gz", "backup.tgz", "README"]
)
def test_an_ordinary_name_is_kept(uploaded):
    assert valid_name(uploaded) == uploaded


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


def test_no_cleaned_name_is_one_of_the_project_s_own():
    assert is_private(private_name("healthz"))
    assert not is_private(valid_name(private_name("healthz")))
