"""Engines used by the worker tests, named in the catalog by import path
(``"engine": "jobs.tests.engines:SlowEngine"``) through VIDEOGEN_EXTRA_MODELS.

Each one appends a line per execution to ``<log_dir>/<prompt>.log`` so a test can
count exactly how many times each job ran.
"""

from __future__ import annotations

import os
import time

import numpy as np

from jobs.generation.base import EngineError, RenderSpec, RenderStopped, preview_wanted


def _record(log_dir: str, spec: RenderSpec, event: str) -> None:
    if not log_dir:
        return
    os.makedirs(log_dir, exist_ok=True)
    with open(os.path.join(log_dir, f"{spec.prompt}.log"), "a") as handle:
        handle.write(f"{event} {os.getpid()}\n")


class _Recording:
    provider = "test"

    def __init__(self, *, log_dir: str = "", frame_seconds: float = 0.0):
        self.log_dir = log_dir
        self.frame_seconds = frame_seconds

    def _frames(self, spec: RenderSpec, sink, control) -> None:
        y = np.full((spec.height, spec.width), 80, np.uint8)
        uv = np.full((spec.height // 2, spec.width // 2), 128, np.uint8)
        total = spec.frame_count
        for index in range(total):
            if control.should_stop():
                _record(self.log_dir, spec, "stopped")
                raise RenderStopped()
            if self.frame_seconds:
                # Simulates a slow renderer so tests can act while a job runs.
                time.sleep(self.frame_seconds)
            y[:8, : (index % spec.width) + 1] = 200
            sink.write_yuv420(y, uv, uv)
            control.report_progress((index + 1) / total)


class CountingEngine(_Recording):
    """Fast: a flat picture per frame, each execution recorded."""

    def render(self, spec, sink, control) -> None:
        _record(self.log_dir, spec, "start")
        self._frames(spec, sink, control)
        _record(self.log_dir, spec, "done")


class SlowEngine(CountingEngine):
    """Like CountingEngine but takes ``frame_seconds`` per frame."""


class FailingEngine(_Recording):
    """Always fails, the way a crashed model would."""

    def render(self, spec, sink, control) -> None:
        _record(self.log_dir, spec, "start")
        raise EngineError("the test engine always fails")


class _PacedControl:
    """Render control that waits ``frame_seconds`` at each progress report (once a frame)."""

    def __init__(self, control, frame_seconds: float):
        self._control = control
        self._frame_seconds = frame_seconds

    def should_stop(self) -> bool:
        return self._control.should_stop()

    def report_progress(self, fraction: float) -> None:
        time.sleep(self._frame_seconds)
        self._control.report_progress(fraction)

    def preview_due(self) -> bool:
        return preview_wanted(self._control)

    def report_preview(self, rgb) -> None:
        self._control.report_preview(rgb)


class PacedProceduralEngine:
    """The real procedural renderer, slowed to ``frame_seconds`` per frame.

    It renders the same frames, video and poster as the built-in model; the pacing
    only lets a page that polls every 2 s see the job while it is rendering.
    """

    def __init__(self, *, frame_seconds: float = 0.0):
        from jobs.generation.procedural.engine import ProceduralEngine

        self._engine = ProceduralEngine()
        self.provider = self._engine.provider
        self.frame_seconds = frame_seconds

    def render(self, spec, sink, control) -> None:
        self._engine.render(spec, sink, _PacedControl(control, self.frame_seconds))
