"""Small RGB preview pictures from what engines have at hand, made cheaply on the render thread."""

from __future__ import annotations

import numpy as np
from PIL import Image

PREVIEW_MAX_SIDE = 480

# BT.601 limited range (Y 16-235, Cb/Cr 16-240) to the full range PIL's YCbCr uses.
_LUMA_LUT = [min(255, max(0, round((i - 16) * 255 / 219))) for i in range(256)]
_CHROMA_LUT = [min(255, max(0, round((i - 128) * 255 / 224 + 128))) for i in range(256)]


def yuv420_preview(y: np.ndarray, u: np.ndarray, v: np.ndarray, max_side: int = PREVIEW_MAX_SIDE) -> np.ndarray:
    """A subsampled RGB copy of a BT.601 limited-range frame, at most ``max_side`` a side.

    Strided sampling and PIL's C conversions: about a millisecond even at 4k.
    """
    step = max(2, -(-max(y.shape) // max_side))
    step += step % 2  # chroma samples then fall on the same pixels as luma
    luma = np.ascontiguousarray(y[::step, ::step])
    h, w = luma.shape
    planes = [Image.fromarray(luma, "L").point(_LUMA_LUT)]
    for plane in (u, v):
        chroma = np.ascontiguousarray(plane[:: step // 2, :: step // 2][:h, :w])
        planes.append(Image.fromarray(chroma, "L").point(_CHROMA_LUT))
    return np.asarray(Image.merge("YCbCr", planes).convert("RGB"))
