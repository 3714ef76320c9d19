"""The previews of one stored image (previews/images.py): made from the file in its own storage,
stored beside it under private names, re-encoded with none of its metadata, upright, and refused,
never attempted, past the limits on the worker's memory and time."""

import io
from collections import Counter

import pytest
from django.core.files.storage import default_storage, storages
from PIL import Image

from myapp.storage.names import is_private, valid_name
from previews import images
from tests.helpers import images as pictures
from tests.helpers.images import BLUE, GREEN, RED, colour_at, near, opened
from tests.helpers.previews import preview_name, previews_of, read_stored, store

# Storing asks the database which names uploads in progress hold.
pytestmark = pytest.mark.django_db


def make(name, content):
    return images.make(default_storage, store(name, content))


KINDS = ["thumbnail", "large"]


def preview_images(stored, name):
    return {kind: opened(stored.read(preview_name(name, kind, stored))) for kind in KINDS}


# What is made, and where


def test_a_photo_gets_a_thumbnail_and_a_large_preview_beside_it(anywhere):
    made = make("photo.jpg", pictures.photo(1200, 800))

    assert anywhere.names() == {"photo.jpg", *previews_of("photo.jpg", anywhere)}
    assert made.thumbnail == images.Stored(".previews/photo.jpg/thumbnail.webp", 128, 85)
    assert made.large == images.Stored(".previews/photo.jpg/large.webp", 800, 533)
    for kind, image in preview_images(anywhere, "photo.jpg").items():
        stored = getattr(made, kind)
        assert (image.format, image.size) == ("WEBP", (stored.width, stored.height))


def test_previews_are_in_a_private_folder_that_no_upload_takes():
    made = make("photo.jpg", pictures.photo())

    assert all(name.startswith(f"{images.FOLDER}/") for name in made.names())
    assert is_private(images.FOLDER)
    assert valid_name(images.FOLDER) != images.FOLDER


def test_the_previews_of_a_file_in_a_folder_are_beside_its_name(anywhere):
    make("2024/05/photo.jpg", pictures.photo())

    assert previews_of("2024/05/photo.jpg", anywhere) <= anywhere.names()


def test_a_small_image_is_not_enlarged():
    made = make("icon.png", pictures.transparent_png(40, 30))

    assert (made.thumbnail.width, made.thumbnail.height) == (40, 30)
    assert (made.large.width, made.large.height) == (40, 30)


# What is kept of the file: its pixels only


def test_the_previews_carry_no_exif_gps_xmp_or_icc_profile(anywhere):
    source = pictures.photo()
    assert all(marker in source for marker in [b"Exif", b"GPS", b"TestCam", b"acsp"])

    make("photo.jpg", source)

    for kind in KINDS:
        content = anywhere.read(preview_name("photo.jpg", kind, anywhere))
        image = opened(content)
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile"} & set(image.info)
        assert [marker for marker in pictures.METADATA_MARKERS if marker in content] == []


def test_a_webp_photo_with_exif_loses_it_too():
    make("photo.webp", pictures.photo(image_format="WEBP"))

    image = opened(read_stored(".previews/photo.webp/large.webp"))
    assert not image.getexif()
    assert not {"exif", "xmp", "icc_profile"} & set(image.info)


# Orientation: the photo (red left half, blue right half) as a viewer shows it. The camera stored
# it turned; EXIF says how to turn it back (6: 90° clockwise, 8: 90° anticlockwise).
ORIENTATIONS = {
    1: ((800, 533), {"left": RED, "right": BLUE}),
    3: ((800, 533), {"left": BLUE, "right": RED}),
    6: ((533, 800), {"top": RED, "bottom": BLUE}),
    8: ((533, 800), {"top": BLUE, "bottom": RED}),
}
SPOTS = {"left": (0.1, 0.5), "right": (0.9, 0.5), "top": (0.5, 0.1), "bottom": (0.5, 0.9)}


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_the_previews_show_the_photo_the_right_way_up(orientation):
    made = make("photo.jpg", pictures.photo(1200, 800, orientation=orientation))

    size, colours = ORIENTATIONS[orientation]
    assert (made.large.width, made.large.height) == size
    for stored in (made.large, made.thumbnail):
        image = opened(read_stored(stored.name)).convert("RGB")
        for spot, colour in colours.items():
            assert near(colour_at(image, *SPOTS[spot]), colour)


# Formats


def test_a_png_keeps_its_transparency():
    made = make("logo.png", pictures.transparent_png())

    for stored in (made.thumbnail, made.large):
        image = opened(read_stored(stored.name))
        assert image.mode == "RGBA"
        assert colour_at(image, 0.1, 0.5)[3] == 0  # the transparent half
        assert near(colour_at(image, 0.9, 0.5), (*BLUE, 255))


@pytest.mark.parametrize(("name", "image_format"), [("clip.gif", "GIF"), ("clip.webp", "WEBP")])
def test_an_animation_shows_its_first_frame(name, image_format):
    made = make(name, pictures.animation(image_format, colours=(GREEN, RED, BLUE)))

    image = opened(read_stored(made.large.name))
    assert getattr(image, "n_frames", 1) == 1
    assert near(colour_at(image.convert("RGB"), 0.5, 0.5), GREEN)


@pytest.mark.parametrize(
    ("name", "image_format"),
    [
        ("photo.jpg", "JPEG"),
        ("photo.jpeg", "JPEG"),
        ("photo.png", "PNG"),
        ("photo.gif", "GIF"),
        ("photo.webp", "WEBP"),
        ("photo.bmp", "BMP"),
        ("photo.avif", "AVIF"),
    ],
)
def test_each_kind_of_image_gets_previews(anywhere, name, image_format):
    content = pictures.encoded(pictures.halves(300, 200), image_format)

    make(name, content)

    assert anywhere.names() == {name, *previews_of(name, anywhere)}
    image = opened(anywhere.read(preview_name(name, "thumbnail", anywhere))).convert("RGB")
    assert image.size == (128, 85)
    assert near(colour_at(image, 0.1, 0.5), RED, tolerance=60)


def test_a_cmyk_jpeg_gets_previews_in_rgb():
    made = make(
        "print.jpg", pictures.encoded(Image.new("CMYK", (300, 200), (0, 255, 255, 0)), "JPEG")
    )

    image = opened(read_stored(made.large.name))
    assert image.mode == "RGB"
    assert near(colour_at(image, 0.5, 0.5), RED, tolerance=60)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.jpg", True),
        ("photo.JPG", True),
        ("scan.png", True),
        ("clip.gif", True),
        ("photo.webp", True),
        ("photo.heic", False),  # Pillow reads none
        ("drawing.svg.txt", False),  # stored inert (myapp/storage/names.py)
        ("report.pdf", False),
        ("clip.mp4", False),
        ("photo", False),
    ],
)
def test_images_are_told_by_the_type_of_their_names(name, expected):
    assert images.previewable(name) is expected


# The limits: refused before anything is decoded, nothing stored


def refused(anywhere, name, content):
    name = store(name, content)
    with pytest.raises(images.Refused) as refusal:
        images.make(default_storage, name)
    assert anywhere.names() == {name}
    return str(refusal.value)


def test_a_decompression_bomb_is_refused(anywhere):
    # 17 bytes of pixels that claim ten billion: 30 GB decoded.
    reason = refused(anywhere, "bomb.png", pictures.png_claiming(100_000, 100_000))

    assert "decompression bomb" in reason


def test_an_image_of_more_pixels_than_the_cap_is_refused(stored):
    # A real, complete 48-megapixel image, which Pillow's own guard (89) lets through.
    content = pictures.black_and_white_png(8000, 6000)
    assert len(content) < 100_000

    reason = refused(stored, "scan.png", content)

    assert reason == "8000 by 6000 pixels, over 40000000"


def test_a_jpeg_of_more_pixels_than_the_cap_is_decoded_small_and_gets_previews():
    # 48 megapixels, decoded at an eighth of its width and height: 0.75 megapixel.
    made = make("panorama.jpg", pictures.grey_jpeg(8000, 6000))

    assert (made.large.width, made.large.height) == (800, 600)


def test_a_file_over_the_size_cap_is_refused_without_being_read(stored, monkeypatch):
    monkeypatch.setattr(images, "MAX_FILE_SIZE", 1000)
    opened_files = Counter()
    monkeypatch.setattr(
        storages["default"], "open", lambda *args, **kwargs: opened_files.update(["open"])
    )
    content = pictures.photo()

    reason = refused(stored, "photo.jpg", content)

    assert reason == f"{len(content)} bytes, over the limit of 1000"
    assert opened_files == Counter()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"\xff\xd8 not much of a photo"),
        ("empty.png", b""),
        ("cut.jpg", pictures.photo()[:2000]),
        ("cut.png", pictures.transparent_png()[:200]),
    ],
)
def test_a_file_that_is_no_readable_image_is_refused(stored, name, content):
    reason = refused(stored, name, content)

    assert reason.startswith("not a readable image")


@pytest.mark.parametrize(("image_format", "extension"), [("TIFF", "tif"), ("EPS", "eps")])
def test_only_the_formats_of_images_with_previews_are_ever_parsed(image_format, extension):
    # A TIFF or a PostScript file (which Pillow would hand to Ghostscript) named as a PNG.
    content = pictures.encoded(pictures.halves(300, 200), image_format)
    assert Image.open(io.BytesIO(content)).format == image_format

    with pytest.raises(images.Refused, match="not a readable image"):
        make("photo.png", content)


def test_a_failure_storing_the_large_preview_deletes_the_thumbnail(stored, monkeypatch):
    storage = storages["default"]
    save = storage.save

    def fail_for_the_large_one(name, content, *args, **kwargs):
        if name.endswith("large.webp"):
            raise OSError("disk full")
        return save(name, content, *args, **kwargs)

    name = store("photo.jpg", pictures.photo())
    monkeypatch.setattr(storage, "save", fail_for_the_large_one)

    with pytest.raises(OSError, match="disk full"):
        images.make(default_storage, name)
    assert stored.names() == {"photo.jpg"}
