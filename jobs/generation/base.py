"""The contract every video engine follows.

An engine turns a ``RenderSpec`` into frames and pushes them, one at a time, into a
``FrameSink`` (normally the streaming H.264 encoder). Between frames (or diffusion
steps) it reports progress and checks the stop signal through a ``RenderControl``,
so a cancelled job stops quickly whatever the engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

QUALITIES = ("low", "medium", "high")

# Named resolutions and their frame sizes (width, height).
RESOLUTIONS: dict[str, tuple[int, int]] = {
    "480p": (854, 480),
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "4k": (3840, 2160),
}


class EngineError(Exception):
    """An attempt failed; another attempt may succeed (a transient fault)."""


class PermanentEngineError(EngineError):
    """An attempt failed in a way no retry can fix (bad parameters, missing model)."""


class RenderStopped(Exception):
    """Raised by an engine when the control asked it to stop (cancel, shutdown)."""


@dataclass(frozen=True)
class RenderSpec:
    prompt: str
    width: int
    height: int
    fps: int
    duration: int  # seconds
    quality: str  # one of QUALITIES
    seed: int
    # The job's engine-specific parameters (declared in jobs.parameters), by API name.
    params: dict[str, Any] = field(default_factory=dict)
    # The start image (the job's imageId, decoded) as an (h, w, 3) uint8 RGB array, or None.
    image: Any = field(default=None, compare=False, repr=False)

    @property
    def frame_count(self) -> int:
        return self.fps * self.duration


@dataclass(frozen=True)
class VideoFacts:
    """What the encoder measured of a finished MP4: the one description of a video."""

    width: int
    height: int
    fps: int
    frames: int
    duration_seconds: float
    size_bytes: int
    codec: str = "h264"


class FrameSink(Protocol):
    """Where an engine puts its frames, in order."""

    def write_rgb(self, frame: np.ndarray) -> None:
        """One frame as an (height, width, 3) uint8 RGB array."""

    def write_yuv420(self, y: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
        """One frame as its planes: y (h, w), u and v (h/2, w/2), uint8 (BT.601 limited range)."""


@runtime_checkable
class PlaneBufferSink(FrameSink, Protocol):
    """A sink that can also lend the planes of its next frame, so an engine draws in place.

    Optional: engines that can draw into any (strided) uint8 planes check for it with
    ``isinstance(sink, PlaneBufferSink)`` and save one full-frame copy per frame.
    """

    def next_yuv420_buffers(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Writable y (h, w), u and v (h/2, w/2) views; the engine must set every pixel."""

    def commit_yuv420(self) -> None:
        """Hand the frame drawn into the last lent buffers to the sink, in order."""


class RenderControl(Protocol):
    def report_progress(self, fraction: float) -> None:
        """Fraction done, 0.0-1.0. Cheap to call often: the caller throttles writes."""

    def should_stop(self) -> bool:
        """True once the render must end; the engine then raises RenderStopped."""

    # Optional: ``preview_due() -> bool`` (cheap; True when a preview frame is wanted now)
    # and ``report_preview(rgb)`` (a small (h, w, 3) uint8 picture of the render so far).
    # Engines ask through ``preview_wanted``, so controls without them get no previews.


class Engine(Protocol):
    provider: str  # shown to users as usedProvider, e.g. "procedural" or "diffusers"

    def render(self, spec: RenderSpec, sink: FrameSink, control: RenderControl) -> None:
        """Render every frame of ``spec`` into ``sink``; raise RenderStopped on stop."""


def preview_wanted(control: RenderControl) -> bool:
    """Whether ``control`` wants a preview frame now (engines then call ``report_preview``)."""
    due = getattr(control, "preview_due", None)
    return bool(due is not None and due())


class NullControl:
    """A control that never stops and ignores progress (for scripts and tests)."""

    def report_progress(self, fraction: float) -> None:
        pass

    def should_stop(self) -> bool:
        return False


def seed_from_prompt(prompt: str) -> int:
    """A stable, non-negative 31-bit seed derived from ``prompt`` (same in every process)."""
    digest = hashlib.sha256(prompt.strip().lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF


FORKING = "forking"
IN_PROCESS = "in-process"
IMAGE_REQUIRED, IMAGE_OPTIONAL, IMAGE_NONE = "required", "optional", "none"


@dataclass(frozen=True)
class EngineDeclaration:
    """What the rest of the system needs to know about an engine, declared by its package.

    Each package ``jobs.generation.<name>/`` sets ``ENGINE = EngineDeclaration(...)`` in its
    ``__init__`` (kept light: heavy imports happen in ``build``); the registry finds it
    there. Nothing outside the package names the engine.
    """

    name: str  # the catalog's "engine" value, and the job's usedProvider
    build: Callable[..., Engine]  # build(options: dict, device: str | None) -> Engine
    # The job parameters (jobs.parameters names) its models accept. A catalog entry
    # may narrow their ranges, never add one the engine does not read.
    params: tuple[str, ...] = ("prompt", "resolution", "quality", "duration")
    derive_seed: Callable[[str], int] = seed_from_prompt  # the seed when a job gives none
    queue: str = "cpu"  # the worker queue its models use unless the catalog says otherwise
    # "forking": a fresh work-horse per job (cheap to set up); "in-process": the engine
    # keeps state across jobs (a loaded model), so its workers run jobs in-process.
    worker: str = FORKING
    # Build it and render one tiny frame in a forking worker's parent before any job,
    # so every work-horse inherits the warm imports.
    warm_up: bool = False
    # Validates a catalog entry's "options" (raise ValueError naming the problem).
    check_options: Callable[[dict], None] = lambda options: None
    # Whether a model of this engine (given its options) needs a start image (imageId),
    # may take one, or takes none: "required", "optional" or "none".
    image_input: Callable[[dict], str] = lambda options: IMAGE_NONE
