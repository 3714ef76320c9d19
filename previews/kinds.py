"""What a file is, in a word or two, from its content type: shown where it has no preview."""

NAMES = {
    "application/pdf": "PDF",
    "application/zip": "ZIP archive",
    "application/gzip": "gzip archive",
    "application/x-tar": "tar archive",
    "application/x-7z-compressed": "7-Zip archive",
    "application/vnd.rar": "RAR archive",
    "application/x-rar-compressed": "RAR archive",
    "application/x-bzip2": "bzip2 archive",
    "application/x-xz": "xz archive",
    "application/zstd": "Zstandard archive",
    "application/json": "JSON",
    "application/rtf": "document",
    "application/epub+zip": "e-book",
    "application/msword": "Word document",
    "application/vnd.ms-excel": "spreadsheet",
    "application/vnd.ms-powerpoint": "presentation",
    "text/csv": "CSV",
}
# The first that the content type starts with.
PREFIXES = [
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.", "Word document"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.", "spreadsheet"),
    ("application/vnd.openxmlformats-officedocument.presentationml.", "presentation"),
    ("application/vnd.oasis.opendocument.text", "document"),
    ("application/vnd.oasis.opendocument.spreadsheet", "spreadsheet"),
    ("application/vnd.oasis.opendocument.presentation", "presentation"),
    ("video/", "video"),
    ("audio/", "audio"),
    ("font/", "font"),
    ("text/", "text"),
]
DEFAULT = "file"


def kind(content_type):
    """Return what a file of ``content_type`` is, in words: "PDF", "video", "PNG image"."""
    if content_type in NAMES:
        return NAMES[content_type]
    if content_type.startswith("image/"):
        # image/png, image/x-icon, image/svg+xml: PNG, ICON, SVG.
        subtype = content_type.removeprefix("image/").removeprefix("x-").partition("+")[0]
        return f"{subtype.upper()} image" if subtype.isalnum() and len(subtype) <= 5 else "image"
    return next((name for prefix, name in PREFIXES if content_type.startswith(prefix)), DEFAULT)
