"""The procedural engine's image-to-video: a slow camera move over the user's still image.

The image is graded towards the prompt's look (its glow and haze colours: the mood), then
split into two depth layers by height (the upper part is far, the lower part near) that
the camera moves over at different rates, so the near layer slides over the far one
(parallax). The move, chosen by the seed and the prompt, is one of a slow zoom in, a zoom
out, or a pan left, right or upwards, eased in and out. The prompt's particles and caption
are drawn over it as in the text-only renderer.

Each frame is three resampled crops per layer (Y, U and V planes, with PIL's SIMD
resize), written straight into the sink's planes. The same image, prompt, seed and size
give the same frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from jobs.generation.base import PermanentEngineError, RenderSpec
from jobs.generation.procedural.canvas import yuv
from jobs.generation.procedural.looks import look_for, prompt_digest
from jobs.generation.procedural.overlays import PARTICLE_KINDS, Caption, Particles

F32 = np.float32
MOVES = ("zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up")
MAX_ZOOM = 1.18  # how far a zoom goes; pans hold PAN_ZOOM to have room to travel
PAN_ZOOM = 1.12
FAR_RATE = 0.55  # the far layer moves this share of the near layer's motion
# Rows (fractions of the height) where the far layer gives way to the near one.
SEAM = (0.42, 0.72)
GRADE = 0.12  # how strongly the prompt's colours tint the image


@dataclass(frozen=True)
class Window:
    """A crop of the source: centre and zoom (1 = the whole covered frame)."""

    cx: float
    cy: float
    zoom: float


def _ease(t: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, t)))


def rgb_to_yuv_planes(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BT.601 limited-range Y, Cb, Cr of an (h, w, 3) uint8 image, as float32 planes."""
    r, g, b = (rgb[..., i].astype(F32) for i in range(3))
    return (16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255,
            128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255,
            128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255)


class ImageComposer:
    """Everything static about (spec, image), prepared once; ``compose(i)`` draws frame ``i``."""

    def __init__(self, spec: RenderSpec, image: np.ndarray) -> None:
        w, h = spec.width, spec.height
        if w % 2 or h % 2 or w < 16 or h < 16:
            raise PermanentEngineError(f"the procedural engine draws even sizes of at least 16x16, not {w}x{h}")
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or min(image.shape[:2]) < 1:
            raise PermanentEngineError("the start image must be an (h, w, 3) uint8 RGB array")
        self.width, self.height, self.frames = w, h, spec.frame_count
        seeds = np.random.SeedSequence([spec.seed & 0xFFFF_FFFF_FFFF_FFFF,
                                        int.from_bytes(prompt_digest(spec.prompt)[:8], "big")])
        camera_seed, particle_seed = seeds.spawn(2)
        rng = np.random.default_rng(camera_seed)
        self.move = MOVES[int(rng.integers(len(MOVES)))]
        # Where a zoom heads: near the middle, a little off it, as a camera operator would.
        self.focus = (0.5 + float(rng.uniform(-0.12, 0.12)), 0.5 + float(rng.uniform(-0.1, 0.1)))
        look = look_for(spec.prompt)
        self.planes = self._source_planes(image, look)
        self.particles = Particles(PARTICLE_KINDS[look.particles], w, h, look.pace,
                                   np.random.default_rng(particle_seed))
        self.caption = Caption(spec.prompt, w, h, spec.fps)
        self.seam = (_even(h * SEAM[0]), _even(h * SEAM[1]))
        rows = np.arange(self.seam[0], self.seam[1], dtype=F32)
        alpha = (rows - self.seam[0]) / max(1, self.seam[1] - self.seam[0])
        alpha = alpha * alpha * (3 - 2 * alpha)  # smoothstep
        self.alpha_y = alpha[:, None]
        self.alpha_c = alpha[::2, None]
        self._own: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _source_planes(self, image: np.ndarray, look) -> tuple[Image.Image, Image.Image, Image.Image]:
        """The image scaled to cover the frame at the deepest zoom, graded, as three 'L' planes."""
        w, h = self.width, self.height
        src_h, src_w = image.shape[:2]
        cover = max(w / src_w, h / src_h) * MAX_ZOOM
        size = (max(w, round(src_w * cover)), max(h, round(src_h * cover)))
        scaled = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS))
        y, u, v = rgb_to_yuv_planes(scaled)
        glow = yuv(look.palette.glow, look.hue_shift)
        haze = yuv(look.palette.haze, look.hue_shift)
        # The mood: chroma leans towards the look's glow, shadows towards its haze.
        u += (glow[1] - u) * GRADE
        v += (glow[2] - v) * GRADE
        shadow = np.clip((128 - y) / 112, 0, 1) * GRADE
        y += (haze[0] - y) * shadow * 0.5
        self.source_size = size
        y_plane, u_plane, v_plane = (Image.fromarray(np.clip(p + 0.5, 0, 255).astype(np.uint8), "L") for p in (y, u, v))
        # Chroma is drawn at half size: its source at half size halves the resampling.
        half = (max(1, size[0] // 2), max(1, size[1] // 2))
        return y_plane, u_plane.resize(half, Image.Resampling.BOX), v_plane.resize(half, Image.Resampling.BOX)

    def window(self, frame: int, *, rate: float = 1.0) -> Window:
        """The near layer's crop at ``frame`` (rate 1), or a far layer's (a share of the motion)."""
        t = _ease(frame / max(1, self.frames - 1))
        fx, fy = self.focus
        if self.move in ("zoom_in", "zoom_out"):
            progress = t if self.move == "zoom_in" else 1 - t
            zoom = 1 + (MAX_ZOOM - 1) * progress * rate
            return Window(0.5 + (fx - 0.5) * progress * rate, 0.5 + (fy - 0.5) * progress * rate, zoom)
        zoom = 1 + (PAN_ZOOM - 1) * (0.5 + 0.5 * rate)
        room = (1 - 1 / zoom) / 2  # how far the centre may go from the middle, as a fraction
        travel = (2 * t - 1) * room * rate
        if self.move == "pan_left":
            return Window(0.5 - travel, 0.5, zoom)
        if self.move == "pan_right":
            return Window(0.5 + travel, 0.5, zoom)
        return Window(0.5, 0.5 - travel, zoom)

    def _box(self, win: Window) -> tuple[float, float, float, float]:
        """The crop in source pixels: the source covers the frame at ``MAX_ZOOM``, so a
        window at ``zoom`` is the frame's size times ``MAX_ZOOM / zoom``."""
        sw, sh = self.source_size
        cw = min(sw, self.width * MAX_ZOOM / win.zoom)
        ch = min(sh, self.height * MAX_ZOOM / win.zoom)
        x0 = min(max(win.cx * sw - cw / 2, 0.0), sw - cw)
        y0 = min(max(win.cy * sh - ch / 2, 0.0), sh - ch)
        return x0, y0, x0 + cw, y0 + ch

    def _draw_layer(self, planes, box, row0: int, row1: int) -> None:
        """Resample rows ``row0:row1`` of the frame seen through ``box`` into ``planes``."""
        x0, y0, x1, y1 = box
        top = y0 + (y1 - y0) * row0 / self.height
        bottom = y0 + (y1 - y0) * row1 / self.height
        w = self.width
        for plane, source, scale in zip(planes, self.planes, (1, 2, 2)):
            size = (w // scale, (row1 - row0) // scale)
            # Clamped: a half-size chroma source of an odd-sized image is half a pixel short.
            sw, sh = source.size
            box = (min(x0 / scale, sw), min(top / scale, sh), min(x1 / scale, sw), min(bottom / scale, sh))
            plane[row0 // scale : row1 // scale] = np.asarray(source.resize(size, Image.Resampling.BILINEAR, box=box))

    def compose(self, frame: int, planes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw ``frame`` into ``planes`` (any strides), or into buffers reused between calls."""
        if planes is None:
            if self._own is None:
                h, w = self.height, self.width
                self._own = (np.empty((h, w), np.uint8), np.empty((h // 2, w // 2), np.uint8),
                             np.empty((h // 2, w // 2), np.uint8))
            planes = self._own
        s0, s1 = self.seam
        far = self._box(self.window(frame, rate=FAR_RATE))
        near = self._box(self.window(frame))
        # The far layer down to the end of the seam, then the near layer from its start; the
        # seam's rows hold the far layer's pixels until they are blended with the near one's.
        self._draw_layer(planes, far, 0, s1)
        seam_far = [plane[s0 // k : s1 // k].astype(F32) for plane, k in zip(planes, (1, 2, 2))]
        self._draw_layer(planes, near, s0, self.height)
        for plane, far_rows, k, alpha in zip(planes, seam_far, (1, 2, 2), (self.alpha_y, self.alpha_c, self.alpha_c)):
            rows = plane[s0 // k : s1 // k]
            rows[...] = (far_rows + (rows.astype(F32) - far_rows) * alpha + 0.5).astype(np.uint8)
        y, u, v = planes
        self.particles.draw(y, frame)
        self.caption.draw(y, u, v, frame)
        return planes


def _even(value: float) -> int:
    return int(value) // 2 * 2
