"""The procedural engine's renderer: prompt-driven parallax motion graphics, drawn on the CPU.

The prompt picks a look (palette, terrain, sky, particles: ``looks``); the
scenery is painted once into periodic canvases (``scenery``); each frame is
then a few dozen slice copies of those canvases at per-layer offsets, some small sprites
and the caption (``overlays``), written as Y, U and V planes straight into the
sink. A frame costs a small fraction of what x264 spends encoding it, which matters
because both share the same two cores.

Output depends only on (prompt, seed, size, fps, duration): the same inputs give the same
frames in any process.
"""

from __future__ import annotations

import numpy as np

from jobs.generation.base import (
    FrameSink,
    PermanentEngineError,
    PlaneBufferSink,
    RenderControl,
    RenderSpec,
    RenderStopped,
    preview_wanted,
    seed_from_prompt,
)
from jobs.generation.preview_frames import yuv420_preview
from jobs.generation.procedural.canvas import Canvases
from jobs.generation.procedural.image import ImageComposer
from jobs.generation.procedural.looks import Look, look_for, prompt_digest
from jobs.generation.procedural.overlays import PARTICLE_KINDS, Caption, Particles
from jobs.generation.procedural.scenery import paint_canvases

PROVIDER = "procedural"
# The layouts are designed for video frames; far outside these the layers do not fit.
MIN_WIDTH, MIN_HEIGHT = 128, 96
ASPECT_RANGE = (1 / 3, 4.0)


class FrameComposer:
    """Everything static about a spec, painted once; ``compose(i)`` draws frame ``i``."""

    def __init__(self, spec: RenderSpec) -> None:
        w, h = spec.width, spec.height
        if w % 2 or h % 2 or w < MIN_WIDTH or h < MIN_HEIGHT or not ASPECT_RANGE[0] <= w / h <= ASPECT_RANGE[1]:
            raise PermanentEngineError(
                f"the procedural engine draws even sizes from {MIN_WIDTH}x{MIN_HEIGHT}, aspect 1:3 to 4:1,"
                f" not {w}x{h}"
            )
        # The prompt and the seed both steer every random choice.
        seeds = np.random.SeedSequence([spec.seed & 0xFFFF_FFFF_FFFF_FFFF,
                                        int.from_bytes(prompt_digest(spec.prompt)[:8], "big")])
        scenery_seeds, particle_seeds = seeds.spawn(2)
        self.look: Look = look_for(spec.prompt)
        self.canvases: Canvases = paint_canvases(self.look, spec.width, spec.height, scenery_seeds)
        # Sparkles glint on the water when there is some.
        over_water = (self.canvases.front_top / h, 1.0) if self.look.front == "water" else None
        self.particles = Particles(PARTICLE_KINDS[self.look.particles], w, h, self.look.pace,
                                   np.random.default_rng(particle_seeds),
                                   rows=over_water if self.look.particles == "sparkles" else None)
        self.caption = Caption(spec.prompt, spec.width, spec.height, spec.fps)
        self.width, self.height = spec.width, spec.height
        self._own: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def compose(self, frame: int, planes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Draw ``frame`` into ``planes`` (any strides), or into buffers reused between calls.

        Every pixel is written, so the planes need no clearing.
        """
        if planes is None:
            if self._own is None:
                h, w = self.height, self.width
                self._own = (np.empty((h, w), np.uint8), np.empty((h // 2, w // 2), np.uint8),
                             np.empty((h // 2, w // 2), np.uint8))
            planes = self._own
        y, u, v = planes
        c, w, half_w = self.canvases, self.width, self.width // 2
        for strip in c.strips:
            x = strip.offset(frame, c.period)
            xc = x // 2  # chroma may trail luma by half a pixel on odd offsets: invisible
            top, bottom = strip.top, strip.bottom
            y[top:bottom] = c.y[top:bottom, x : x + w]
            u[top // 2 : bottom // 2] = c.u[top // 2 : bottom // 2, xc : xc + half_w]
            v[top // 2 : bottom // 2] = c.v[top // 2 : bottom // 2, xc : xc + half_w]
        self.particles.draw(y, frame)
        self.caption.draw(y, u, v, frame)
        return planes


class ProceduralEngine:
    provider = PROVIDER

    def render(self, spec: RenderSpec, sink: FrameSink, control: RenderControl) -> None:
        """Render every frame of ``spec`` into ``sink``; raise ``RenderStopped`` on stop."""
        composer = FrameComposer(spec) if spec.image is None else ImageComposer(spec, spec.image)
        # Drawing straight into the encoder's frame saves a full-frame copy per frame.
        in_place = isinstance(sink, PlaneBufferSink)
        total = spec.frame_count
        for frame in range(total):
            if control.should_stop():
                raise RenderStopped(f"stopped at frame {frame} of {total}")
            planes = composer.compose(frame, sink.next_yuv420_buffers() if in_place else None)
            if preview_wanted(control):
                control.report_preview(yuv420_preview(*planes))
            if in_place:
                sink.commit_yuv420()
            else:
                sink.write_yuv420(*planes)
            control.report_progress((frame + 1) / total)


__all__ = ["FrameComposer", "ProceduralEngine", "seed_from_prompt"]
