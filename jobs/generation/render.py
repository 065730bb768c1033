"""Run an engine into an MP4 and a poster: the one entry point the job layer calls.

Paths are local files; uploading them to storage is the caller's business. Either both
files exist and the outcome describes them, or neither exists and the error propagates.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from jobs.generation.base import Engine, RenderControl, RenderSpec
from jobs.generation.encoder import VideoEncoder, VideoFacts


@dataclass(frozen=True)
class RenderOutcome:
    facts: VideoFacts
    render_ms: int  # wall time of the whole path: frames, encoding, muxing, poster


def render_video(
    *,
    engine: Engine,
    spec: RenderSpec,
    video_path: str | os.PathLike[str],
    thumbnail_path: str | os.PathLike[str],
    control: RenderControl,
) -> RenderOutcome:
    """Render ``spec`` with ``engine`` into ``video_path`` (MP4) and ``thumbnail_path`` (JPEG).

    On any exception, ``RenderStopped`` included, both files are removed and the
    exception is re-raised unchanged.
    """
    started = time.perf_counter()
    video, thumbnail = Path(video_path), Path(thumbnail_path)
    try:
        with VideoEncoder(
            video,
            width=spec.width,
            height=spec.height,
            fps=spec.fps,
            quality=spec.quality,
            expected_frames=spec.frame_count,
        ) as encoder:
            engine.render(spec, encoder, control)
        facts = encoder.close()
        encoder.save_thumbnail(thumbnail)
    except BaseException:
        video.unlink(missing_ok=True)
        thumbnail.unlink(missing_ok=True)
        raise
    return RenderOutcome(facts=facts, render_ms=round((time.perf_counter() - started) * 1000))
