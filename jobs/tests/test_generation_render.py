"""The whole render path: engine -> encoder -> MP4 + poster, at every resolution."""

from __future__ import annotations

import os

import av
import numpy as np
import pytest
from PIL import Image

from jobs.generation.base import RESOLUTIONS, NullControl, RenderSpec, RenderStopped
from jobs.generation.procedural import ProceduralEngine
from jobs.generation.render import render_video


class StopAfter:
    def __init__(self, frames: int) -> None:
        self.progress: list[float] = []
        self.frames = frames

    def report_progress(self, fraction: float) -> None:
        self.progress.append(fraction)

    def should_stop(self) -> bool:
        return len(self.progress) >= self.frames


class BrokenEngine:
    """Writes a few frames, then fails like an engine that ran out of memory."""

    provider = "broken"

    def render(self, spec, sink, control) -> None:
        for _ in range(3):
            sink.write_yuv420(np.zeros((spec.height, spec.width), np.uint8),
                              np.full((spec.height // 2, spec.width // 2), 128, np.uint8),
                              np.full((spec.height // 2, spec.width // 2), 128, np.uint8))
        raise MemoryError("out of memory")


def spec_at(resolution: str, prompt: str = "sunset over the ocean", seed: int = 3, duration: int = 1) -> RenderSpec:
    width, height = RESOLUTIONS[resolution]
    return RenderSpec(prompt=prompt, width=width, height=height, fps=24, duration=duration,
                      quality="medium", seed=seed)


def render(tmp_path, spec: RenderSpec, control=None, engine=None, name: str = "video"):
    video, poster = tmp_path / f"{name}.mp4", tmp_path / f"{name}.jpg"
    outcome = render_video(engine=engine or ProceduralEngine(), spec=spec, video_path=video,
                           thumbnail_path=poster, control=control or NullControl())
    return outcome, video, poster


def top_level_boxes(path) -> list[str]:
    data, boxes, offset = path.read_bytes(), [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8].decode("latin-1"))
        size = int.from_bytes(data[offset + 8 : offset + 16], "big") if size == 1 else size
        if size == 0:
            break
        offset += size
    return boxes


@pytest.mark.parametrize("resolution", list(RESOLUTIONS))
def test_it_renders_a_playable_faststart_h264_mp4_and_a_poster(tmp_path, resolution):
    spec = spec_at(resolution)
    outcome, video, poster = render(tmp_path, spec)

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.width, stream.height) == (spec.width, spec.height)
        assert float(container.duration / av.time_base) == pytest.approx(1.0, abs=0.05)
        assert sum(1 for _ in container.decode(stream)) == spec.fps * spec.duration
    boxes = top_level_boxes(video)
    assert boxes.index("moov") < boxes.index("mdat")
    assert outcome.facts.frames == 24 and outcome.facts.size_bytes == video.stat().st_size
    assert outcome.render_ms > 0
    with Image.open(poster) as image:
        image.verify()
        assert image.format == "JPEG"
        assert image.width == min(640, spec.width)
        assert image.height == pytest.approx(image.width * spec.height / spec.width, abs=2)


def decoded(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="yuv420p") for frame in container.decode(video=0)]


def test_it_renders_identical_videos_for_the_same_prompt_and_seed(tmp_path):
    _, first, _ = render(tmp_path, spec_at("480p"), name="first")
    _, second, _ = render(tmp_path, spec_at("480p"), name="second")

    a_frames, b_frames = decoded(first), decoded(second)
    assert len(a_frames) == len(b_frames)
    differing = [(n, int(np.abs(a.astype(int) - b).max()), int((a != b).sum()))
                 for n, (a, b) in enumerate(zip(a_frames, b_frames)) if not np.array_equal(a, b)]
    if differing:
        first_bad = differing[0][0]
        rows, cols = np.nonzero(a_frames[first_bad] != b_frames[first_bad])
        where = f"frame {first_bad}: rows {rows.min()}-{rows.max()}, columns {cols.min()}-{cols.max()} (yuv420p stacked)"
        raise AssertionError(f"(frame, largest difference, pixels differing): {differing}; {where}")


def test_the_video_does_not_depend_on_how_many_cpus_the_process_may_use(tmp_path):
    # x264 left to count CPUs itself picks its thread count from them, and its output
    # depends on that count.
    _, usual, _ = render(tmp_path, spec_at("480p"), name="usual")
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    try:
        _, one_cpu, _ = render(tmp_path, spec_at("480p"), name="one-cpu")
    finally:
        os.sched_setaffinity(0, cpus)

    assert one_cpu.read_bytes() == usual.read_bytes()


def test_it_renders_other_videos_for_another_prompt_or_seed(tmp_path):
    _, base, _ = render(tmp_path, spec_at("480p"), name="base")
    _, reseeded, _ = render(tmp_path, spec_at("480p", seed=4), name="reseeded")
    _, reworded, _ = render(tmp_path, spec_at("480p", prompt="a snowy forest"), name="reworded")

    base_frame = decoded(base)[12]
    assert np.abs(decoded(reseeded)[12].astype(int) - base_frame).mean() > 2
    assert np.abs(decoded(reworded)[12].astype(int) - base_frame).mean() > 10


def test_it_removes_both_files_when_stopped(tmp_path):
    control = StopAfter(frames=6)

    with pytest.raises(RenderStopped):
        render(tmp_path, spec_at("720p", duration=60), control=control)
    assert list(tmp_path.iterdir()) == []
    assert control.progress == sorted(control.progress) and len(control.progress) == 6


def test_it_removes_both_files_when_the_engine_fails(tmp_path):
    with pytest.raises(MemoryError):
        render(tmp_path, spec_at("480p"), engine=BrokenEngine())
    assert list(tmp_path.iterdir()) == []


def test_it_reports_progress_up_to_one(tmp_path):
    control = StopAfter(frames=10**6)
    render(tmp_path, spec_at("480p"), control=control)

    assert len(control.progress) == 24
    assert control.progress == sorted(control.progress) and control.progress[-1] == 1.0

