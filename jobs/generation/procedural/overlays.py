"""The moving and fixed things drawn over the scrolling scenery of a procedural video.

* ``Particles``: a few dozen small soft lights (fireflies, embers, snow, bokeh ...) on
  smooth deterministic paths; drawn with a *lighten* blend on luma only (one ``maximum``
  per sprite), they take the hue of what is behind them.
* ``Caption``: the prompt, rendered once with PIL into a mask with a soft shadow and
  composited every frame with integer arithmetic over its bounding box only.

Both precompute everything at construction; ``draw`` costs a handful of numpy calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

F32 = np.float32


@dataclass(frozen=True)
class ParticleKind:
    count: int
    radius: tuple[float, float]  # fraction of frame height
    vx: tuple[float, float]  # luma pixels per frame at 1080p
    vy: tuple[float, float]
    sway: float  # fraction of frame height
    twinkle: float  # 0 steady .. 1 blinks fully
    rows: tuple[float, float]  # where they start, as fractions of the height
    brightness: float  # peak luma (16..235)


PARTICLE_KINDS: dict[str, ParticleKind] = {
    "fireflies": ParticleKind(16, (0.005, 0.01), (-0.4, 0.4), (-0.25, 0.25), 0.02, 0.85, (0.45, 0.95), 225),
    "embers": ParticleKind(24, (0.002, 0.005), (-0.4, 0.4), (-2.6, -0.8), 0.012, 0.5, (0.0, 1.0), 230),
    "snow": ParticleKind(40, (0.002, 0.006), (-0.6, 0.2), (0.6, 2.0), 0.015, 0.0, (0.0, 1.0), 235),
    "bokeh": ParticleKind(9, (0.018, 0.04), (-0.35, 0.35), (-0.15, 0.15), 0.01, 0.3, (0.0, 1.0), 120),
    "motes": ParticleKind(18, (0.0015, 0.004), (0.15, 0.6), (-0.3, 0.1), 0.01, 0.4, (0.1, 0.9), 215),
    "twinkles": ParticleKind(26, (0.0015, 0.004), (-0.3, -0.1), (-0.02, 0.02), 0.0, 0.9, (0.0, 0.6), 235),
    "sparkles": ParticleKind(24, (0.0015, 0.0035), (-1.5, -0.5), (0.0, 0.0), 0.0, 1.0, (0.66, 1.0), 235),
}
LEVELS = 12  # brightness steps per sprite size


class Particles:
    """Deterministic small lights; ``draw(y, frame)`` lightens them into a luma plane."""

    def __init__(self, kind: ParticleKind, width: int, height: int, pace: float, rng: np.random.Generator,
                 rows: tuple[float, float] | None = None) -> None:
        """``rows`` overrides where they start (fractions of the height), e.g. over water."""
        scale = height / 1080
        rows = rows or kind.rows
        n = kind.count
        self.width, self.height = width, height
        radii = np.sort(rng.uniform(*kind.radius, 3)) * height
        self.sizes = rng.integers(0, 3, n)
        self.patches = [self._patches(max(1.5, r), kind.brightness) for r in radii]
        self.reach = np.array([p.shape[1] // 2 for p in self.patches])[self.sizes]
        self.x0 = rng.uniform(0, width, n)
        self.y0 = rng.uniform(rows[0] * height, rows[1] * height, n)
        self.vx = rng.uniform(*kind.vx, n) * scale * pace
        self.vy = rng.uniform(*kind.vy, n) * scale * pace
        self.sway = kind.sway * height * rng.uniform(0.5, 1.0, n)
        self.sway_rate = rng.uniform(0.02, 0.06, n) * pace
        self.phase = rng.uniform(0, 2 * np.pi, n)
        self.twinkle = kind.twinkle
        self.twinkle_rate = rng.uniform(0.05, 0.2, n)
        self.glow = rng.uniform(0.55, 1.0, n)
        # Particles that drift vertically wrap around the frame; the rest stay in their band.
        self.wraps_vertically = max(abs(kind.vy[0]), abs(kind.vy[1])) > 0.3

    @staticmethod
    def _patches(radius: float, brightness: float) -> np.ndarray:
        reach = radius * 1.25  # the glow ends here; the patch holds nothing beyond it
        size = int(np.ceil(reach)) * 2 + 1
        yy, xx = np.mgrid[0:size, 0:size].astype(F32) - F32(size // 2)
        d = np.hypot(yy, xx) / F32(reach)
        profile = np.clip(1 - d, 0, 1) ** 1.8
        levels = np.linspace(1 / LEVELS, 1, LEVELS, dtype=F32)[:, None, None]
        return (16 + (brightness - 16) * profile[None] * levels).astype(np.uint8)

    def draw(self, y: np.ndarray, frame: int) -> None:
        t = frame
        angle = self.phase + self.sway_rate * t
        span_x = self.width + 2 * self.reach
        xs = ((self.x0 + self.vx * t + self.sway * np.sin(angle)) % span_x - self.reach).astype(np.int64)
        ys = self.y0 + self.vy * t + 0.5 * self.sway * np.cos(1.3 * angle)
        if self.wraps_vertically:
            ys = ys % (self.height + 2 * self.reach) - self.reach
        ys = ys.astype(np.int64)
        light = self.glow * (1 - self.twinkle * (0.5 + 0.5 * np.sin(self.twinkle_rate * t + self.phase)))
        levels = np.clip((light * LEVELS).astype(np.int64) - 1, 0, LEVELS - 1)
        h, w = self.height, self.width
        for x, yv, size, level, r in zip(xs.tolist(), ys.tolist(), self.sizes.tolist(), levels.tolist(),
                                         self.reach.tolist()):
            x0, y0, x1, y1 = max(x - r, 0), max(yv - r, 0), min(x + r + 1, w), min(yv + r + 1, h)
            if x0 >= x1 or y0 >= y1:
                continue
            patch = self.patches[size][level, y0 - yv + r : y1 - yv + r, x0 - x + r : x1 - x + r]
            region = y[y0:y1, x0:x1]
            np.maximum(region, patch, out=region)


class Caption:
    """The prompt as white text with a soft shadow near the bottom-left of the frame."""

    FADE_IN_SECONDS = 0.6
    MAX_CHARS = 90

    def __init__(self, text: str, width: int, height: int, fps: int) -> None:
        text = " ".join(text.split())
        if len(text) > self.MAX_CHARS:
            text = text[: self.MAX_CHARS - 1].rstrip() + "\u2026"
        self.fade_frames = max(1, round(self.FADE_IN_SECONDS * fps))
        size = max(12, round(height * 0.042))
        font = ImageFont.load_default(size=size)
        lines = _wrap(text, font, int(width * 0.8))[:2]
        margin_x, margin_y = even_int(width * 0.05), even_int(height * 0.06)
        line_height = round(size * 1.25)
        pad = even_int(size * 0.6)
        text_width = max((font.getlength(line) for line in lines), default=0)
        box_w = min(even_int(text_width + 2 * pad), width - 2 * margin_x)
        box_h = even_int(line_height * len(lines) + 2 * pad)
        mask = Image.new("L", (box_w, box_h), 0)
        draw = ImageDraw.Draw(mask)
        for i, line in enumerate(lines):
            draw.text((pad, pad + i * line_height), line, fill=255, font=font)
        shadow = mask.filter(ImageFilter.GaussianBlur(size / 5)).filter(ImageFilter.MaxFilter(3))
        text_a = np.asarray(mask, F32) / 255
        shadow_a = np.clip(np.asarray(shadow, F32) / 255 * 1.6, 0, 1) * 0.65
        self.row = height - margin_y - box_h
        self.col = margin_x
        # out = (plane * keep + add) >> 8, with keep/add in 1/256ths (fits uint16).
        keep = (1 - shadow_a) * (1 - text_a)
        self.keep_y = np.round(keep * 256).astype(np.uint16)
        self.add_y = np.round((16 * shadow_a * (1 - text_a) + 235 * text_a) * 256).astype(np.uint16)
        keep_c = keep.reshape(box_h // 2, 2, box_w // 2, 2).mean(axis=(1, 3))
        self.keep_c = np.round(keep_c * 256).astype(np.uint16)
        self.add_c = np.round((1 - keep_c) * 128 * 256).astype(np.uint16)
        self.work_y = np.empty_like(self.keep_y)
        self.work_c = np.empty_like(self.keep_c)

    def draw(self, y: np.ndarray, u: np.ndarray, v: np.ndarray, frame: int) -> None:
        keep_y, add_y, keep_c, add_c = self.keep_y, self.add_y, self.keep_c, self.add_c
        if frame < self.fade_frames:
            f = (frame + 1) / (self.fade_frames + 1)
            keep_y = (256 - (256 - keep_y) * f).astype(np.uint16)
            add_y = (add_y * f).astype(np.uint16)
            keep_c = (256 - (256 - keep_c) * f).astype(np.uint16)
            add_c = (add_c * f).astype(np.uint16)
        h, w = keep_y.shape
        r, c = self.row, self.col
        _apply(y[r : r + h, c : c + w], keep_y, add_y, self.work_y)
        for plane in (u, v):
            _apply(plane[r // 2 : (r + h) // 2, c // 2 : (c + w) // 2], keep_c, add_c, self.work_c)


def _apply(region: np.ndarray, keep: np.ndarray, add: np.ndarray, work: np.ndarray) -> None:
    np.copyto(work, region)
    work *= keep
    work += add
    work >>= 8
    np.copyto(region, work, casting="unsafe")


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_width: int) -> list[str]:
    """At most two lines no wider than ``max_width``; words too long for a line are split."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while font.getlength(current) > max_width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and font.getlength(current[:cut]) > max_width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > 2:
        second = lines[1]
        while second and font.getlength(second + "\u2026") > max_width:
            second = second[:-1]
        lines = [lines[0], second + "\u2026"]
    return lines


def even_int(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)
