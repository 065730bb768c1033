"""Paint the parallax canvases of a procedural video, once, before the first frame.

A frame is a stack of horizontal *strips*. Each strip is a window onto a canvas that is
periodic in x (period = frame width) and stored twice side by side, so any scroll offset
is a plain slice: drawing a frame is one copy per strip and plane, however rich the
picture. Parallax comes from giving strips different speeds.

That only looks right if nothing crosses a strip boundary while moving at another speed,
so the painter keeps three rules:

* the sky gradient and every silhouette's body below its edge are *x-invariant*
  (vertical gradients only), so a near layer's ragged edge can be painted in advance over
  the layer behind it and still be correct at any relative offset;
* a layer's edge (and its rim light and windows) stays inside its own strip, i.e. each
  layer's highest point is below the previous layer's lowest point plus its rim;
* sky features (stars, sun, clouds) and water glints never straddle a strip boundary or
  the period seam.

Colours are blended directly in Y'CbCr (BT.601 limited range, the encoder's input):
Y'CbCr is an affine map of R'G'B', so a linear blend there equals the blend in R'G'B'.
Luma is painted at full resolution, chroma at half, as the encoder wants it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

F32 = np.float32

# Layers per terrain, and where their edges may lie, as fractions of the land band.
TERRAIN_LAYERS: dict[str, tuple[tuple[float, float], ...]] = {
    "mountains": ((0.0, 0.46), (0.44, 0.72), (0.70, 0.93)),
    "hills": ((0.0, 0.36), (0.34, 0.64), (0.62, 0.90)),
    "pines": ((0.0, 0.40), (0.36, 0.68), (0.64, 0.96)),
    "dunes": ((0.0, 0.34), (0.32, 0.62), (0.60, 0.90)),
    "flames": ((0.0, 0.40), (0.30, 0.66), (0.56, 0.92)),
    "skyline": ((0.0, 0.48), (0.46, 0.90)),
    "islands": ((0.55, 0.88), (0.80, 1.0)),
    "planet": ((0.0, 0.6),),
}
# Where the land band starts (fraction of height) per terrain.
LAND_TOP = {"mountains": 0.26, "hills": 0.40, "pines": 0.34, "dunes": 0.42, "flames": 0.36,
            "skyline": 0.24, "islands": 0.40, "planet": 0.62}
FRONT_TOP = {"water": 0.64, "traffic": 0.80, "none": 0.88}

# Speeds in luma pixels per frame at 1080p, far to near; scaled with the frame height.
SKY_SPEED = 0.2
LAYER_SPEEDS = (0.5, 1.2, 2.6)


@dataclass(frozen=True)
class Strip:
    """Rows [top, bottom) scroll by ``num / den`` luma pixels per frame (even rows only)."""

    top: int
    bottom: int
    num: int
    den: int

    def offset(self, frame: int, period: int) -> int:
        return (frame * self.num // self.den) % period


@dataclass(frozen=True)
class Canvases:
    y: np.ndarray  # (height, 2 * period) uint8
    u: np.ndarray  # (height / 2, period) uint8
    v: np.ndarray
    period: int
    strips: tuple[Strip, ...]
    front_top: int  # first row of the water or road band (or the bottom of the land)


def yuv(hex_colour: str, hue_shift: float = 0.0) -> np.ndarray:
    """BT.601 limited-range Y'CbCr of an ``#rrggbb`` colour, as float32 (3,).

    ``hue_shift`` turns the chroma vector (radians): a cheap hue rotation.
    """
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    if hue_shift:
        y, u, v = yuv(hex_colour)
        cos, sin = np.cos(hue_shift), np.sin(hue_shift)
        return np.array([y, 128 + cos * (u - 128) - sin * (v - 128), 128 + sin * (u - 128) + cos * (v - 128)],
                        dtype=F32)
    return np.array(
        [16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255,
         128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255,
         128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255],
        dtype=F32,
    )


def mix(a: np.ndarray, b: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    return a + (b - a) * t


def gradient(stops: Sequence[tuple[float, np.ndarray]], positions: np.ndarray) -> np.ndarray:
    """Colours (n, 3) at ``positions`` along eased stops [(position, colour)]."""
    out = np.empty((len(positions), 3), F32)
    out[:] = stops[0][1]
    for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
        t = np.clip((positions - p0) / max(p1 - p0, 1e-6), 0, 1)
        # Half linear, half smoothstep: no kink at a stop, and no flat band either.
        t = 0.5 * t + 0.5 * t * t * (3 - 2 * t)
        inside = positions >= p0
        out[inside] = mix(c0, c1, t[inside, None])
    return out


def envelope(h: int, w: int, margin: float = 0.25) -> np.ndarray:
    """(h, w) weights that fall smoothly to 0 at the edges: soft shapes end inside their patch."""

    def ramp(n: int) -> np.ndarray:
        t = np.clip(np.minimum(np.arange(n) + 0.5, n - np.arange(n) - 0.5) / (margin * n), 0, 1)
        return (t * t * (3 - 2 * t)).astype(F32)

    return ramp(h)[:, None] * ramp(w)[None, :]


def half(a: np.ndarray) -> np.ndarray:
    """2x2 box average: full-resolution alpha to chroma resolution."""
    # Four strided adds beat reshape().mean() several times over on these shapes.
    out = a[0::2, 0::2] + a[1::2, 0::2]
    out += a[0::2, 1::2]
    out += a[1::2, 1::2]
    out *= F32(0.25)
    return out


def speed_ratio(pixels_per_frame: float) -> tuple[int, int]:
    """A speed as an exact ratio: whole pixels per frame, or one pixel every n frames.

    Regular steps keep slow layers from stuttering irregularly between 0 and 1 pixel.
    """
    if pixels_per_frame == 0:
        return 0, 1
    sign = -1 if pixels_per_frame < 0 else 1
    speed = abs(pixels_per_frame)
    if speed >= 1:
        return sign * round(speed), 1
    return sign, max(1, round(1 / max(speed, 1e-3)))


class StripPainter:
    """Float planes for rows [top, bottom) of one period, painted then quantised once."""

    def __init__(self, top: int, bottom: int, period: int, row_colours: np.ndarray) -> None:
        self.top, self.bottom, self.period = top, bottom, period
        h = bottom - top
        self.y = np.empty((h, period), F32)
        self.y[:] = row_colours[:, 0:1]
        pairs = row_colours.reshape(h // 2, 2, 3).mean(axis=1)
        self.u = np.empty((h // 2, period // 2), F32)
        self.v = np.empty((h // 2, period // 2), F32)
        self.u[:] = pairs[:, 1:2]
        self.v[:] = pairs[:, 2:3]

    def blend(self, alpha: np.ndarray, colour_y: np.ndarray | float, colour_u: np.ndarray | float,
              colour_v: np.ndarray | float, row: int = 0, col: int = 0,
              alpha_half: np.ndarray | None = None) -> None:
        """Blend a colour over a region at (row, col) (strip-relative, even) with ``alpha``.

        Colours broadcast against the region at their plane's resolution.
        """
        h, w = alpha.shape
        region = self.y[row : row + h, col : col + w]
        region += (colour_y - region) * alpha
        a2 = half(alpha) if alpha_half is None else alpha_half
        for plane, colour in ((self.u, colour_u), (self.v, colour_v)):
            region = plane[row // 2 : row // 2 + h // 2, col // 2 : col // 2 + w // 2]
            region += (colour - region) * a2

    def blend_solid(self, alpha: np.ndarray, colour: np.ndarray, row: int = 0, col: int = 0) -> None:
        self.blend(alpha, colour[0], colour[1], colour[2], row, col)

    def store(self, canvases_y: np.ndarray, canvases_u: np.ndarray, canvases_v: np.ndarray) -> None:
        """Quantise into rows of the doubled canvases (rounding, no dither: x264 would eat it)."""
        t, b = self.top, self.bottom
        for plane, canvas, rows in ((self.y, canvases_y, slice(t, b)),
                                    (self.u, canvases_u, slice(t // 2, b // 2)),
                                    (self.v, canvases_v, slice(t // 2, b // 2))):
            width = plane.shape[1]
            np.clip(plane, 0, 255, out=plane)
            canvas[rows, :width] = plane + 0.5
            canvas[rows, width:] = canvas[rows, :width]


def even(value: float) -> int:
    return int(round(value / 2)) * 2


# Silhouette profiles ---------------------------------------------------------------------
# Each returns, for every column of one period, how far below the top of the layer's edge
# band its edge lies, in [0, 1]. All are periodic, so the canvas wraps without a seam.


def _phase(period: int) -> np.ndarray:
    return np.arange(period, dtype=F32) * F32(2 * np.pi / period)


def _normalise(values: np.ndarray) -> np.ndarray:
    lo, hi = values.min(), values.max()
    return (values - lo) / max(hi - lo, 1e-6)


def _sines(period: int, rng: np.random.Generator, ks: np.ndarray, falloff: float) -> np.ndarray:
    x = _phase(period)
    out = np.zeros(period, F32)
    for k in ks:
        out += F32(rng.uniform(0.4, 1.0) * k**-falloff) * np.sin(k * x + F32(rng.uniform(0, 2 * np.pi)))
    return _normalise(out)


def _circular_distance(period: int, centre: float) -> np.ndarray:
    d = np.abs(np.arange(period, dtype=F32) - F32(centre))
    return np.minimum(d, period - d)


def profile_mountains(period: int, rng: np.random.Generator, depth: int) -> np.ndarray:
    base = _sines(period, rng, np.arange(2, 7 + depth), 1.2)
    # Ridged noise (1 - |n|) makes the sharp peaks and soft valleys of mountains.
    ridges = 1 - np.abs(2 * _sines(period, rng, np.arange(5, 18), 1.1) - 1)
    return 1 - _normalise(0.6 * base + 0.4 * ridges)


def profile_hills(period: int, rng: np.random.Generator, depth: int) -> np.ndarray:
    return 1 - _sines(period, rng, np.arange(1, 5 + depth), 1.6)


def profile_dunes(period: int, rng: np.random.Generator, depth: int) -> np.ndarray:
    x = _phase(period)
    out = np.zeros(period, F32)
    for k in range(2, 5 + depth):
        phi = rng.uniform(0, 2 * np.pi)
        # A skewed sine: a gentle windward slope and a steep lee face.
        out += F32(k**-1.3) * np.sin(k * x + phi + 0.7 * np.sin(k * x + phi))
    return 1 - _normalise(out)


def profile_pines(period: int, rng: np.random.Generator, depth: int, band: int) -> np.ndarray:
    ground = 0.75 + 0.25 * _sines(period, rng, np.arange(1, 4), 1.5)
    tops = ground.copy()
    spacing = max(2.0, band * (0.22 + 0.06 * depth))
    x = 0.0
    while x < period:
        height = rng.uniform(0.55, 1.0)
        half_width = max(3.0, height * band * rng.uniform(0.17, 0.23))
        t = _circular_distance(period, x) / half_width
        near = t < 1
        tiers = 5
        # Triangles with a saw-tooth flank read as pine branches.
        crown = 1 - height * (1 - t[near]) - 0.06 * ((t[near] * tiers) % 1) * height
        tops[near] = np.minimum(tops[near], crown)
        x += spacing * rng.uniform(0.45, 1.1)
    return np.clip(tops, 0, 1)


def profile_skyline(period: int, rng: np.random.Generator, depth: int) -> np.ndarray:
    out = np.empty(period, F32)
    x = 0
    while x < period:
        width = max(2, int(period * rng.uniform(0.022, 0.055) * (1 + 0.4 * depth)))
        top = rng.uniform(0.0, 0.75) if rng.random() < 0.85 else rng.uniform(0.75, 0.95)
        out[x : x + width] = top
        if rng.random() < 0.35 and width > 12:  # a stepped roof
            inset = width // 4
            out[x + inset : x + width - inset] = max(0.0, top - rng.uniform(0.03, 0.08))
        if rng.random() < 0.2 and width > 8:  # an antenna
            mid = x + width // 2
            out[mid : mid + max(2, period // 800)] = max(0.0, top - rng.uniform(0.08, 0.15))
        x += width
    return out


def profile_flames(period: int, rng: np.random.Generator, depth: int) -> np.ndarray:
    heat = _sines(period, rng, np.arange(2, 6), 1.0)
    tongues = np.zeros(period, F32)
    for _ in range(int(30 + 14 * depth)):
        width = period * rng.uniform(0.004, 0.011)
        d = _circular_distance(period, rng.uniform(0, period))
        tongues += F32(rng.uniform(0.3, 1.0)) * np.exp(-((d / width) ** 2))
    # Saturate softly (never a flat top), then stretch to the whole band.
    return 1 - _normalise(0.35 * heat + 1 - np.exp(-1.3 * tongues)) ** 1.3


def profile_planet(period: int, rng: np.random.Generator, depth: int) -> np.ndarray:
    # The limb of a huge planet: a circle much wider than the frame, centred in it.
    radius = 0.85 * period
    d = _circular_distance(period, period / 2)
    sag = 1 - np.sqrt(1 - (d / radius) ** 2)
    return sag / sag.max()


def profile_islands(period: int, rng: np.random.Generator, depth: int) -> np.ndarray:
    land = np.zeros(period, F32)
    shore = _sines(period, rng, np.arange(8, 20), 0.8)  # rocky, uneven tops
    for _ in range(rng.integers(2, 4)):
        width = period * rng.uniform(0.06, 0.16)
        d = _circular_distance(period, rng.uniform(0, period))
        bump = np.clip(1 - d / width, 0, 1) ** 1.5 * F32(rng.uniform(0.5, 1.0))
        land = np.maximum(land, bump * (0.8 + 0.2 * shore))
    return 1 - land


def terrain_profile(terrain: str, period: int, rng: np.random.Generator, depth: int, band: int) -> np.ndarray:
    if terrain == "pines":
        return profile_pines(period, rng, depth, band)
    makers = {"mountains": profile_mountains, "hills": profile_hills, "dunes": profile_dunes,
              "skyline": profile_skyline, "flames": profile_flames, "planet": profile_planet,
              "islands": profile_islands}
    return makers[terrain](period, rng, depth)
