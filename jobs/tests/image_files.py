"""Image files for the upload tests, good and bad, built in memory."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48), colour=(200, 40, 40), **save) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" and save.pop("alpha", False) else "RGB"
    Image.new(mode, size, colour).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def gradient_png(size: tuple[int, int] = (320, 240)) -> bytes:
    """A picture with structure (a gradient and a bright square), so frames can be compared to it."""
    import numpy as np

    w, h = size
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :].repeat(h, 0)
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None].repeat(w, 1)
    rgb = np.stack([x, y, 255 - x], axis=-1).astype(np.uint8)
    rgb[h // 4 : h // 2, w // 4 : w // 2] = (250, 250, 30)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_rotated_by_exif(size: tuple[int, int] = (80, 40)) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90°": a viewer shows it as portrait."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW to display
    return image_bytes("JPEG", size, exif=exif.tobytes())


def png_header_only(width: int, height: int) -> bytes:
    """A tiny, valid PNG that claims ``width`` x ``height``: a decompression bomb's header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    # Rows of zeros compress a thousandfold: the real bombs are a few hundred KB.
    idat = zlib.compress(b"\x00" * (width + 1) * 8, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
