"""What live previews cost a render: the procedural render path with and without them.

    python -m benchmarks.preview_cost [--quick]

Times ``render_video`` (procedural engine, 1080p medium, 10 s at 24 fps) with a control
that never wants previews against one that behaves as a worker's does: a preview is due
every VIDEOGEN_PREVIEW_SECONDS (2 s), the engine hands over a subsampled frame, and a
background thread encodes it as JPEG and writes it to storage (a local folder). Runs are
interleaved, each round starting with another variant; medians of wall and CPU time.
Target: previews slow a render by at most 5 %.
Also reports the same at a 0.25 s interval (eight times the default rate) to show the
cost per preview, and what one diffusion preview costs: the latent-to-RGB map applied to
latents of Wan 2.1's 480p shape (16 x 21 x 60 x 104), against which a diffusion step of
that model takes seconds.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")
# Settings want secrets (DEBUG is off); this process signs nothing, so throwaway ones do.
for _name in ("SECRET_KEY", "JWT_SECRET_KEY"):
    os.environ.setdefault(_name, secrets.token_urlsafe(50))
django.setup()

from jobs.generation.base import NullControl, RenderSpec  # noqa: E402
from jobs.generation.procedural.engine import ProceduralEngine  # noqa: E402
from jobs.generation.render import render_video  # noqa: E402
from jobs.previews import PreviewSlot, encode_preview  # noqa: E402

SPEC = RenderSpec(prompt="a neon city at night, calm", width=1920, height=1080, fps=24, duration=10,
                  quality="medium", seed=7)


class PreviewingControl(NullControl):
    """A worker's preview path without the database: slot, hand-over, JPEG, file write."""

    def __init__(self, interval: float, folder: Path) -> None:
        self.slot = PreviewSlot(interval=interval)
        self.folder = folder
        self.stored = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._writer, daemon=True)
        self._thread.start()

    def preview_due(self) -> bool:
        return self.slot.due()

    def report_preview(self, rgb) -> None:
        self.slot.offer(rgb)

    def _writer(self) -> None:
        while not self._done.wait(0.5):  # the heartbeat's default interval
            self._flush()

    def _flush(self) -> None:
        frame = self.slot.take()
        if frame is not None:
            (self.folder / "preview.jpg").write_bytes(encode_preview(frame))
            self.stored += 1

    def close(self) -> None:
        self._done.set()
        self._thread.join()
        self._flush()


def _time(control, folder: Path) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    render_video(engine=ProceduralEngine(), spec=SPEC, video_path=folder / "v.mp4", thumbnail_path=folder / "p.jpg",
                 control=control)
    if isinstance(control, PreviewingControl):
        control.close()
    return time.perf_counter() - wall, time.process_time() - cpu


def latent_preview_ms(repeats: int = 20) -> float:
    """One diffusion preview from Wan-480p-shaped latents (the map's weights are random:
    the cost does not depend on them)."""
    from types import SimpleNamespace

    import numpy as np
    import torch

    from jobs.generation.diffusers.preview import LatentPreviewer

    previewer = LatentPreviewer.__new__(LatentPreviewer)
    previewer.kind = "wan"
    previewer.weights = np.random.default_rng(0).normal(size=(17, 3)).astype(np.float32)
    pipe = SimpleNamespace(vae=SimpleNamespace(config=SimpleNamespace(latents_mean=[0.0] * 16, latents_std=[1.0] * 16)))
    latents = torch.randn(1, 16, 21, 60, 104)
    started = time.perf_counter()
    for _ in range(repeats):
        previewer.rgb(pipe, latents, num_frames=81, height=480, width=832)
    return (time.perf_counter() - started) / repeats * 1000


def run(quick: bool = False) -> dict[str, float]:
    runs = 3 if quick else 6
    times: dict[str, list[tuple[float, float]]] = {"off": [], "default": [], "fast": []}
    stored = {"default": 0, "fast": 0}
    with tempfile.TemporaryDirectory(prefix="vg-preview-bench-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        folder = Path(tmp)
        intervals = {"off": None, "default": 2.0, "fast": 0.25}
        names = list(intervals)
        for round_ in range(runs):
            # Each round starts with another variant: a fixed order would bias the figures
            # (the render right after another one runs on warmer or busier cores).
            for name in names[round_ % 3:] + names[:round_ % 3]:
                if intervals[name] is None:
                    times[name].append(_time(NullControl(), folder))
                    continue
                control = PreviewingControl(intervals[name], folder)
                times[name].append(_time(control, folder))
                stored[name] = control.stored
    wall = {name: statistics.median(t[0] for t in values) for name, values in times.items()}
    cpu = {name: statistics.median(t[1] for t in values) for name, values in times.items()}
    figures = {
        "render_without_previews_s": wall["off"],
        "render_with_previews_s": wall["default"],
        "preview_slowdown_pct": (wall["default"] / wall["off"] - 1) * 100,
        "preview_cpu_slowdown_pct": (cpu["default"] / cpu["off"] - 1) * 100,
        "previews_per_render": stored["default"],
        "preview_fast_slowdown_pct": (wall["fast"] / wall["off"] - 1) * 100,
        "previews_per_render_fast": stored["fast"],
    }
    try:
        figures["latent_preview_ms"] = latent_preview_ms()
    except ImportError:
        print("note: torch is not installed; latent_preview_ms not measured")
    for name, value in figures.items():
        print(f"{name}={value:.3f}" if isinstance(value, float) else f"{name}={value}")
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    run(parser.parse_args().quick)
