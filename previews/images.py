"""The previews of one stored image: read from its storage, made by Pillow, stored beside it.

Each preview is the server's own encoding of the image's pixels (WebP, transparency kept), in a
new image that carries nothing of the file's metadata: no EXIF (GPS position, camera, date), no
XMP, no ICC profile (its colours are converted to sRGB first). The orientation the EXIF gave is
applied to the pixels.

The work is bounded, since it runs in the web worker that stored the file:

- the file is read whole (S3 and Azure files into memory): at most MAX_FILE_SIZE;
- Pillow refuses, as it opens the file and before decoding anything, an image that claims more
  than twice Image.MAX_IMAGE_PIXELS (179 megapixels by default): a decompression bomb, a few bytes
  that would decode into gigabytes;
- MAX_PIXELS bounds the pixels actually decoded, checked before decoding too: Pillow holds them
  all, up to 4 bytes each, and resizing RGBA copies them once more. A JPEG is decoded at 1/2, 1/4
  or 1/8 of its size where that still fills the large preview (Image.draft), so a 24-megapixel
  photo decodes 1.5 megapixels and even a 100-megapixel one gets its preview;
- only the first frame of an animated GIF or WebP is decoded.
"""

import io
import posixpath
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError, features

from myapp.storage.content_types import served_content_type
from myapp.storage.names import private_name

# Where the previews of each file are stored: .previews/<the file's name>/..., a private name
# (myapp/storage/names.py) that no upload can take.
FOLDER = private_name("previews")

# The list's thumbnail (shown at half that, sharp on screens of two pixels per point), and the
# change page's preview.
THUMBNAIL_BOX = (128, 128)
LARGE_BOX = (800, 800)

# The limits of what one file may cost, and why: the module's docstring. A 24-megapixel photo
# from a camera is 5 to 15 MB; a 40-megapixel RGBA image decodes into 160 MB, which resizing
# copies once, so one preview holds at most about 320 MB besides the file itself.
MAX_FILE_SIZE = 50 * 1024 * 1024
MAX_PIXELS = 40_000_000

# What is made, and how.
OUTPUT_FORMAT, OUTPUT_EXTENSION = "WEBP", ".webp"
QUALITY = 80

# The types of the images that get previews, by the served content type of their names, and the
# formats Pillow may try on their bytes: none other is ever parsed, whatever the bytes look like.
FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/bmp": "BMP",
}
if features.check("avif"):
    FORMATS["image/avif"] = "AVIF"

# What ImageOps.exif_transpose does for each EXIF orientation, done here to the reduced image:
# transposing the decoded one would copy every pixel of it.
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class Refused(Exception):
    """The image gets no preview: over a limit, or not an image Pillow can read. Says why."""


@dataclass(frozen=True)
class Stored:
    """A preview stored: its name in the storage, and its size in pixels."""

    name: str
    width: int
    height: int


@dataclass(frozen=True)
class Previews:
    thumbnail: Stored
    large: Stored

    def names(self):
        return [self.thumbnail.name, self.large.name]


def previewable(name):
    """Return whether the file ``name`` is an image of a kind that gets previews."""
    return served_content_type(name) in FORMATS


def make(storage, name):
    """Make the previews of the image ``name`` in ``storage``, store them beside it, return them.

    Raise Refused when the image gets none, the storage's error when it fails. What was stored
    before a failure is deleted again.
    """
    size = storage.size(name)
    if size > MAX_FILE_SIZE:
        raise Refused(f"{size} bytes, over the limit of {MAX_FILE_SIZE}")
    with storage.open(name, "rb") as file:
        large = reduce(file)
    thumbnail = large.copy()
    thumbnail.thumbnail(THUMBNAIL_BOX, Image.Resampling.LANCZOS)
    folder = posixpath.join(FOLDER, name)
    stored = []
    try:
        for kind, image in (("thumbnail", thumbnail), ("large", large)):
            content = ContentFile(encode(image), name=kind + OUTPUT_EXTENSION)
            saved = storage.save(posixpath.join(folder, content.name), content)
            stored.append(Stored(saved, *image.size))
    except BaseException:
        for made in stored:
            storage.delete(made.name)
        raise
    return Previews(*stored)


def reduce(file):
    """Return the image in ``file`` fitted in LARGE_BOX, upright, in sRGB, with no metadata.

    Raise Refused if it is over a limit or Pillow cannot read it.
    """
    try:
        with Image.open(file, formats=list(FORMATS.values())) as image:
            # JPEG only: decode at the smallest scale that still fills the box.
            image.draft(None, LARGE_BOX)
            if image.width * image.height > MAX_PIXELS:
                raise Refused(f"{image.width} by {image.height} pixels, over {MAX_PIXELS}")
            orientation = image.getexif().get(ExifTags.Base.Orientation)
            mode = "RGBA" if image.has_transparency_data else "RGB"
            if image.mode in ("1", "P", "PA"):
                # Resized as they are, they would only lose pixels (nearest neighbour).
                image = image.convert(mode)
            image.thumbnail(LARGE_BOX, Image.Resampling.LANCZOS, reducing_gap=3.0)
            reduced = to_srgb(image, mode)
            if orientation in TRANSPOSE:
                reduced = reduced.transpose(TRANSPOSE[orientation])
            return without_metadata(reduced)
    except Image.DecompressionBombError as error:
        raise Refused(str(error)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as error:
        # What Pillow raises for a file it cannot read, a truncated or corrupt one.
        raise Refused(f"not a readable image ({error})") from None


def to_srgb(image, mode):
    """Return ``image`` in ``mode`` (RGB or RGBA), its colours converted from its ICC profile."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
            image = ImageCms.profileToProfile(image, source, SRGB, outputMode=output_mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a profile littlecms cannot apply: the colours as they are
    return image if image.mode == mode else image.convert(mode)


def without_metadata(image):
    """Return a new image of the pixels of ``image`` alone.

    It has no ``info`` (EXIF, XMP, ICC profile, comments...) for any encoder to write, whatever
    Pillow's defaults become.
    """
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def encode(image):
    """Return the bytes of ``image`` in OUTPUT_FORMAT, given no metadata to write."""
    output = io.BytesIO()
    image.save(output, OUTPUT_FORMAT, quality=QUALITY)
    return output.getvalue()
