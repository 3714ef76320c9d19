"""Images as people upload them, for the tests of previews: a phone's photo with its GPS position,
a logo with transparency, animations, and files that claim far more pixels than they hold."""

import io
import zlib

from PIL import ExifTags, Image, ImageCms

from tests.helpers.browser import png_file

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)
# Where the photo was taken, as a phone writes it: in the EXIF's GPS directory and in its XMP.
LATITUDE, LONGITUDE = (48.0, 51.0, 29.0), (2.0, 17.0, 40.0)
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.48N" '
    b'exif:GPSLongitude="2,17.67E"/></rdf:RDF></x:xmpmeta>'
)
SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
# What metadata looks like in any of the formats made: EXIF and XMP blocks, their GPS tags and
# the camera's name, an ICC profile (WebP's chunks are EXIF, XMP and ICCP).
METADATA_MARKERS = [b"Exif", b"EXIF", b"XMP", b"xmpmeta", b"GPS", b"TestCam", b"ICCP", b"acsp"]


def halves(width, height, left=RED, right=BLUE, mode="RGB"):
    """An image whose left half is ``left`` and right half ``right``: which way is up shows."""
    image = Image.new(mode, (width, height), right)
    image.paste(left, (0, 0, width // 2, height))
    return image


def encoded(image, image_format, **params):
    output = io.BytesIO()
    image.save(output, image_format, **params)
    return output.getvalue()


def camera_exif(orientation=1):
    """EXIF as a phone writes it: the camera, the time, the orientation, the GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Model] = "TestCam X100"
    exif[ExifTags.Base.DateTime] = "2024:05:01 12:00:00"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: LATITUDE,
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: LONGITUDE,
    }
    return exif


def photo(width=1200, height=800, orientation=1, image_format="JPEG"):
    """A photo (red left half, blue right half) with EXIF and its GPS position, XMP and an ICC
    profile, as the camera stored it: a viewer turns it by ``orientation`` to show it."""
    return encoded(
        halves(width, height),
        image_format,
        exif=camera_exif(orientation),
        xmp=XMP,
        icc_profile=SRGB_PROFILE,
    )


def transparent_png(width=300, height=200):
    """A PNG whose left half is transparent and right half opaque blue."""
    return encoded(halves(width, height, (0, 0, 0, 0), (*BLUE, 255), mode="RGBA"), "PNG")


def animation(image_format, colours=(RED, GREEN, BLUE), size=(200, 100)):
    """An animated GIF or WebP, one frame of each colour, the first ``colours[0]``."""
    frames = [Image.new("RGB", size, colour) for colour in colours]
    return encoded(
        frames[0], image_format, save_all=True, append_images=frames[1:], duration=100, loop=0
    )


def png_claiming(width, height):
    """A PNG of a few bytes whose header claims ``width`` by ``height`` pixels.

    With its tiny compressed data it would decode into width times height times 3 bytes: a
    decompression bomb.
    """
    return png_file(width, height, zlib.compress(b"\x00" * 1024))


def black_and_white_png(width, height):
    """A real, complete PNG of one bit a pixel: a few kilobytes, however many pixels."""
    return encoded(halves(width, height, 0, 1, mode="1"), "PNG")


def grey_jpeg(width, height):
    """A real, complete greyscale JPEG of ``width`` by ``height`` pixels."""
    return encoded(halves(width, height, 60, 200, mode="L"), "JPEG", quality=50)


def opened(content):
    """Return the image in ``content`` (bytes), decoded."""
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def colour_at(image, x, y):
    """Return the RGB(A) colour of ``image`` at (x, y), a fraction of its width and height."""
    return image.getpixel((int(x * (image.width - 1)), int(y * (image.height - 1))))


def near(colour, expected, tolerance=40):
    """Return whether ``colour`` is ``expected``, give or take what lossy encoding changes."""
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=False))
