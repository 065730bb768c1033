"""A finished video: the one result type, and its one mapping onto Job columns and JSON.

The encoder measures a video's facts (``VideoFacts``); storing the files makes a
``VideoResult``; the worker's completion writes it onto the job with ``job_fields``;
a retry clears it with ``CLEARED_FIELDS``; the API and the pages read it back with
``result_of`` and show it with ``facts_json``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from jobs.generation.base import VideoFacts

# Each fact's Job column and its name in the API's result block, declared once.
FACT_COLUMNS = {
    "width": ("video_width", "width"),
    "height": ("video_height", "height"),
    "fps": ("video_fps", "fps"),
    "frames": ("video_frames", "frames"),
    "duration_seconds": ("video_duration", "durationSeconds"),
    "size_bytes": ("video_size_bytes", "sizeBytes"),
    "codec": ("video_codec", "codec"),
}
assert set(FACT_COLUMNS) == {f.name for f in fields(VideoFacts)}, "every fact needs a column"

FILE_COLUMNS = ("video_path", "thumbnail_path")
CLEARED_FIELDS: dict = {
    "video_path": "", "thumbnail_path": "",
    **{column: ("" if fact == "codec" else None) for fact, (column, _) in FACT_COLUMNS.items()},
}
RESULT_COLUMNS = tuple(CLEARED_FIELDS)


@dataclass(frozen=True)
class VideoResult:
    """A stored video: its files (storage names) and the encoder's facts."""

    video_path: str
    thumbnail_path: str  # "" when there is no poster
    facts: VideoFacts

    def job_fields(self) -> dict:
        """The Job columns this result sets."""
        return {
            "video_path": self.video_path,
            "thumbnail_path": self.thumbnail_path,
            **{column: getattr(self.facts, fact) for fact, (column, _) in FACT_COLUMNS.items()},
        }


def result_of(job) -> VideoResult | None:
    """A job's stored result, or None while it has no video."""
    if not job.video_path:
        return None
    facts = VideoFacts(**{fact: getattr(job, column) for fact, (column, _) in FACT_COLUMNS.items()})
    return VideoResult(video_path=job.video_path, thumbnail_path=job.thumbnail_path, facts=facts)


def facts_json(facts: VideoFacts) -> dict:
    """The facts as the API's result block names them."""
    return {api: getattr(facts, fact) for fact, (_, api) in FACT_COLUMNS.items()}


def job_facts_json(job) -> dict:
    """``facts_json(result_of(job).facts)``, read straight off the row (lists show many)."""
    return {api: getattr(job, column) for column, api in FACT_COLUMNS.values()}
