"""Decode an uploaded still image, refusing anything that is not a sane PNG, JPEG or WebP.

The format is decided by the bytes, never by the file name. Limits: at most
``MAX_BYTES`` of input and ``MAX_SIDE`` pixels a side, checked from the header before
any pixel is decoded (so a small file that claims huge dimensions, a decompression bomb,
costs nothing). EXIF orientation is applied, so what the user saw is what the video
starts from, and the re-encoded file carries no metadata (no GPS position).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from videogen.errors import InvalidInput

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 4096
FIELD = "file"

# Pillow format name -> (content type, file extension, save options).
FORMATS: dict[str, tuple[str, str, dict]] = {
    "PNG": ("image/png", "png", {"optimize": False}),
    "JPEG": ("image/jpeg", "jpg", {"quality": 95}),
    "WEBP": ("image/webp", "webp", {"quality": 95}),
}


@dataclass(frozen=True)
class DecodedImage:
    image: Image.Image  # RGB or RGBA, orientation applied
    format: str  # one of FORMATS
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]

    def encoded(self) -> bytes:
        """The image in its own format, without metadata."""
        buffer = io.BytesIO()
        image = self.image if self.format != "JPEG" else self.image.convert("RGB")
        image.save(buffer, format=self.format, **FORMATS[self.format][2])
        return buffer.getvalue()


def _refuse(message: str) -> InvalidInput:
    return InvalidInput.for_field(FIELD, message)


def decode_image(data: bytes) -> DecodedImage:
    """The decoded image, or InvalidInput naming ``file`` saying what is wrong with it."""
    if not data:
        raise _refuse("The file is empty.")
    if len(data) > MAX_BYTES:
        raise _refuse(f"The image must be at most {MAX_BYTES // (1024 * 1024)} MB.")
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice it; any bomb is an error here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(f"The image has too many pixels (at most {MAX_SIDE} a side).") from None
        except Image.UnidentifiedImageError:
            raise _refuse("The file is not a PNG, JPEG or WebP image.") from None
        except Exception:
            raise _refuse("The image is damaged or incomplete and could not be read.") from None
        opened_as = image.format
        width, height = image.size
        if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE:
            raise _refuse(f"The image is {width}x{height}; at most {MAX_SIDE} pixels a side are accepted.")
        try:
            image.load()
            image = ImageOps.exif_transpose(image)
            mode = "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
            image = image.convert(mode)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(f"The image has too many pixels (at most {MAX_SIDE} a side).") from None
        except Exception:
            # Truncated or corrupt data, an unsupported mode, a broken EXIF block.
            raise _refuse("The image is damaged or incomplete and could not be decoded.") from None
    return DecodedImage(image=image, format=opened_as, width=image.width, height=image.height)


def as_rgb_array(image: Image.Image):
    """An (h, w, 3) uint8 array; transparent pixels are laid over black."""
    import numpy as np

    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, (0, 0, 0))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    return np.asarray(image.convert("RGB"), dtype=np.uint8)
