"""The diffusers engine, end to end on a tiny random Wan 2.1 pipeline (CPU, offline).

Tests that run a pipeline skip, with the reason, when the diffusion extra is absent.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from jobs.generation.diffusers import engine as diffusers_engine
from jobs.generation.base import NullControl, PermanentEngineError, RenderSpec, RenderStopped
from jobs.generation.diffusers.engine import PIPELINES, STEPS_SHARE, DiffusersEngine
from jobs.tests.diffusion_fixtures import TINY_MAX_SEQUENCE_LENGTH


SPEC = RenderSpec(prompt="a red fox jumps over the river", width=854, height=480, fps=16, duration=1, quality="low", seed=7)


class CollectingSink:
    def __init__(self) -> None:
        self.frames: list[np.ndarray] = []

    def write_rgb(self, frame: np.ndarray) -> None:
        self.frames.append(frame.copy())

    def write_yuv420(self, y: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
        raise AssertionError("the diffusers engine writes RGB frames")


class RecordingControl:
    """Records progress; asks to stop once progress passes ``stop_above``."""

    def __init__(self, stop_above: float | None = None) -> None:
        self.progress: list[float] = []
        self.stop_above = stop_above

    def report_progress(self, fraction: float) -> None:
        self.progress.append(fraction)

    def should_stop(self) -> bool:
        return self.stop_above is not None and any(p > self.stop_above for p in self.progress)


def make_engine(source: str, **overrides) -> DiffusersEngine:
    options = dict(
        source=source,
        pipeline="wan",
        steps=2,
        guidance_scale=5.0,
        native_width=64,
        native_height=48,
        device="cpu",
        max_sequence_length=TINY_MAX_SEQUENCE_LENGTH,
    )
    return DiffusersEngine(**(options | overrides))


def render(engine: DiffusersEngine, spec: RenderSpec = SPEC, control=None) -> list[np.ndarray]:
    sink = CollectingSink()
    engine.render(spec, sink, control or NullControl())
    return sink.frames


def test_it_writes_exactly_the_requested_frames_at_the_requested_size(tiny_wan):
    frames = render(make_engine(tiny_wan))

    assert len(frames) == 16  # 16 fps for 1 s, though Wan itself generates 4k+1 = 17
    assert all(frame.shape == (480, 854, 3) and frame.dtype == np.uint8 for frame in frames)
    assert len({frame.tobytes() for frame in frames}) > 1


def test_it_reports_progress_through_the_steps_up_to_one(tiny_wan):
    control = RecordingControl()

    render(make_engine(tiny_wan, steps=3), control=control)

    assert control.progress == sorted(control.progress)
    steps = [p for p in control.progress if 0 < p <= STEPS_SHARE]
    assert steps == pytest.approx([STEPS_SHARE / 3, STEPS_SHARE * 2 / 3, STEPS_SHARE])
    assert control.progress[-1] == pytest.approx(1.0)


def test_it_loads_the_pipeline_once_for_two_jobs(tiny_wan):
    diffusers_engine.forget_pipelines()
    before = diffusers_engine.load_count()

    render(make_engine(tiny_wan))
    render(make_engine(tiny_wan), RenderSpec(**(vars(SPEC) | {"seed": 8, "width": 640, "height": 360})))

    assert diffusers_engine.load_count() == before + 1


def test_the_same_seed_gives_the_same_frames(tiny_wan):
    engine = make_engine(tiny_wan)

    first, again = render(engine), render(engine)
    other_seed = render(engine, RenderSpec(**(vars(SPEC) | {"seed": SPEC.seed + 1})))

    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], other_seed[0])


def test_a_stop_during_the_steps_raises_render_stopped_and_the_pipeline_still_works(tiny_wan):
    engine = make_engine(tiny_wan, steps=4)
    uninterrupted = render(engine)
    stopping = RecordingControl(stop_above=0.0)  # stop as soon as the first step is done
    sink = CollectingSink()

    with pytest.raises(RenderStopped):
        engine.render(SPEC, sink, stopping)

    assert sink.frames == []
    assert max(stopping.progress) == pytest.approx(STEPS_SHARE / 4)  # one step of four ran
    loads = diffusers_engine.load_count()
    after = render(engine)
    assert all(np.array_equal(a, b) for a, b in zip(uninterrupted, after, strict=True))
    assert diffusers_engine.load_count() == loads


def test_a_stop_while_writing_frames_ends_the_render(tiny_wan):
    control = RecordingControl(stop_above=STEPS_SHARE + 0.01)
    sink = CollectingSink()

    with pytest.raises(RenderStopped):
        make_engine(tiny_wan).render(SPEC, sink, control)

    assert 0 < len(sink.frames) < 16


def test_it_names_a_missing_model_folder(tiny_wan, tmp_path):
    missing = str(tmp_path / "no-such-model")

    with pytest.raises(PermanentEngineError, match="no-such-model"):
        render(make_engine(missing))


def test_it_never_downloads_a_hub_model_missing_from_the_cache(tiny_wan):
    with pytest.raises(PermanentEngineError, match="videogen-tests/not-cached.*Hugging Face cache"):
        render(make_engine("videogen-tests/not-cached"))


def test_it_tells_which_family_a_model_of_another_family_needs(tiny_wan):
    with pytest.raises(PermanentEngineError, match="is a WanPipeline: set its pipeline to 'wan', not 'ltx'"):
        render(make_engine(tiny_wan, pipeline="ltx", native_width=64, native_height=64))


def test_it_writes_a_playable_mp4_through_the_video_encoder(tiny_wan, tmp_path):
    try:
        from jobs.generation.encoder import VideoEncoder
    except ImportError as error:
        pytest.skip(f"the video encoder is not importable: {error}")
    av = pytest.importorskip("av")
    path = tmp_path / "fox.mp4"

    with VideoEncoder(path, width=854, height=480, fps=16, quality="low", expected_frames=16) as encoder:
        make_engine(tiny_wan).render(SPEC, encoder, NullControl())

    with av.open(str(path)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert len(frames) == 16
    assert frames[0].shape == (480, 854, 3)


def test_it_asks_for_the_diffusion_extra_when_it_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    monkeypatch.setitem(sys.modules, "diffusers", None)

    with pytest.raises(PermanentEngineError) as raised:
        render(make_engine("/models/wan"))

    assert str(raised.value) == (
        "the diffusers engine needs the diffusion extra: pip install -r requirements-diffusion.txt"
    )


def test_it_rejects_an_unknown_pipeline_family():
    with pytest.raises(PermanentEngineError, match="Unknown diffusers pipeline 'sora'"):
        make_engine("/models/wan", pipeline="sora")


@pytest.mark.parametrize(
    ("family", "wanted", "frames"),
    [("wan", 16, 17), ("wan", 17, 17), ("wan", 1, 1), ("ltx", 24, 25), ("ltx", 161, 161), ("cogvideox", 48, 49)],
)
def test_it_generates_the_smallest_valid_frame_count_covering_the_job(family, wanted, frames):
    assert PIPELINES[family].frames_for(wanted) == frames


@pytest.mark.parametrize(
    ("family", "native", "side"),
    [("wan", (832, 480), (832, 480)), ("wan", (854, 470), (848, 464)), ("ltx", (704, 500), (704, 512))],
)
def test_it_snaps_the_native_size_to_the_family_grid(family, native, side):
    engine = make_engine("/models/any", pipeline=family, native_width=native[0], native_height=native[1])

    assert (engine.width, engine.height) == side
