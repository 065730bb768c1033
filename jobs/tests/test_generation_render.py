"""The whole render path: engine -> encoder -> MP4 + poster, at every resolution."""

from __future__ import annotations

import av
import numpy as np
import pytest
from PIL import Image

from jobs.generation.base import RESOLUTIONS, NullControl, RenderSpec, RenderStopped
from jobs.generation.procedural.engine import ProceduralEngine
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


class RecordingSink:
    """A frame sink that keeps every frame the engine hands over (no encoder)."""

    def __init__(self) -> None:
        self.frames: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def write_yuv420(self, y, u, v) -> None:
        self.frames.append((y.copy(), u.copy(), v.copy()))


def engine_frames(spec: RenderSpec) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    sink = RecordingSink()
    ProceduralEngine().render(spec, sink, NullControl())
    return sink.frames


def test_the_engine_draws_identical_frames_for_the_same_prompt_and_seed():
    first, second = engine_frames(spec_at("480p")), engine_frames(spec_at("480p"))

    assert len(first) == len(second) == 24
    assert all(np.array_equal(a, b) for frame_a, frame_b in zip(first, second) for a, b in zip(frame_a, frame_b))


def test_the_same_prompt_and_seed_encode_to_the_same_picture(tmp_path):
    # Bit-identical frames (above) have, within the whole test suite's process only,
    # now and then come out of x264 a few levels apart in a few hundred pixels; the
    # cause is not found. The picture must be the same: another seed moves the mean
    # difference by more than 2 levels (below), another prompt by more than 10.
    _, first, _ = render(tmp_path, spec_at("480p"), name="first")
    _, second, _ = render(tmp_path, spec_at("480p"), name="second")

    a_frames, b_frames = decoded(first), decoded(second)
    assert len(a_frames) == len(b_frames) == 24
    worst = max(float(np.abs(a.astype(int) - b).mean()) for a, b in zip(a_frames, b_frames))
    assert worst < 0.5, f"mean difference of the worst frame: {worst:.3f} levels"


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

