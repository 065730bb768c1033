"""The procedural engine: deterministic, driven by the prompt, stoppable."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from jobs.generation.base import RESOLUTIONS, PermanentEngineError, PlaneBufferSink, RenderSpec, RenderStopped
from jobs.generation.procedural.engine import FrameComposer, ProceduralEngine, seed_from_prompt
from jobs.generation.procedural.looks import THEMES, look_for


class RecordingSink:
    """Keeps copies of every frame written (small frames only)."""

    def __init__(self) -> None:
        self.frames: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def write_yuv420(self, y, u, v) -> None:
        self.frames.append((y.copy(), u.copy(), v.copy()))

    def write_rgb(self, frame) -> None:
        raise AssertionError("the procedural engine writes planes")


class LendingSink(RecordingSink):
    """Lends padded, garbage-filled buffers, like an encoder's frames with line padding."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self.buffers = (np.full((height, width + 40), 7, np.uint8)[:, :width],
                        np.full((height // 2, width // 2 + 24), 7, np.uint8)[:, : width // 2],
                        np.full((height // 2, width // 2 + 24), 7, np.uint8)[:, : width // 2])

    def next_yuv420_buffers(self):
        for plane in self.buffers:
            plane.fill(7)  # stale pixels must never show through
        return self.buffers

    def commit_yuv420(self) -> None:
        self.write_yuv420(*self.buffers)


class ScriptedControl:
    """Records progress; asks to stop once ``stop_after`` frames have been reported."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.progress: list[float] = []
        self.stop_after = stop_after

    def report_progress(self, fraction: float) -> None:
        self.progress.append(fraction)

    def should_stop(self) -> bool:
        return self.stop_after is not None and len(self.progress) >= self.stop_after


def small_spec(prompt: str = "a quiet night in the mountains", seed: int = 7, **fields) -> RenderSpec:
    width, height = RESOLUTIONS["480p"]
    values = dict(prompt=prompt, width=width, height=height, fps=24, duration=1, quality="low", seed=seed)
    values.update(fields)
    return RenderSpec(**values)


def render_frames(spec: RenderSpec) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    sink = RecordingSink()
    ProceduralEngine().render(spec, sink, ScriptedControl())
    return sink.frames


def same(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_it_renders_every_frame_at_the_spec_size():
    frames = render_frames(small_spec())

    assert len(frames) == 24
    y, u, v = frames[0]
    assert y.shape == (480, 854) and u.shape == v.shape == (240, 427)
    assert y.dtype == u.dtype == v.dtype == np.uint8


def test_it_draws_the_same_frames_in_place_into_lent_padded_buffers():
    spec = small_spec("neon city by the ocean")
    sink = LendingSink(spec.width, spec.height)
    assert isinstance(sink, PlaneBufferSink)

    ProceduralEngine().render(spec, sink, ScriptedControl())

    assert all(same(a, b) for a, b in zip(sink.frames, render_frames(spec), strict=True))


def test_it_draws_the_same_frames_for_the_same_prompt_and_seed():
    first, second = render_frames(small_spec()), render_frames(small_spec())

    assert all(same(a, b) for a, b in zip(first, second, strict=True))


def test_it_draws_the_same_frames_in_another_process():
    code = (
        "import hashlib\n"
        "from jobs.generation.base import RenderSpec\n"
        "from jobs.generation.procedural.engine import FrameComposer\n"
        "spec = RenderSpec(prompt='neon city by the ocean', width=854, height=480, fps=24, duration=1,"
        " quality='low', seed=7)\n"
        "print(hashlib.sha256(b''.join(p.tobytes() for p in FrameComposer(spec).compose(30))).hexdigest())\n"
    )
    other_process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    here = FrameComposer(small_spec("neon city by the ocean")).compose(30)

    assert other_process.stdout.strip() == hashlib.sha256(b"".join(p.tobytes() for p in here)).hexdigest()


def test_it_draws_other_frames_for_another_seed():
    assert not same(render_frames(small_spec(seed=7))[10], render_frames(small_spec(seed=8))[10])


def test_it_draws_other_frames_for_another_prompt():
    assert not same(render_frames(small_spec("a forest"))[10], render_frames(small_spec("the open ocean"))[10])


def test_it_moves_from_frame_to_frame():
    frames = render_frames(small_spec())
    changed = np.mean(frames[0][0] != frames[12][0])

    assert changed > 0.05


def test_it_takes_palette_and_motifs_from_the_prompt_words():
    assert look_for("neon city at night").terrain == "skyline"
    assert look_for("a dragon breathing fire").particles == "embers"
    assert look_for("calm ocean waves").front == "water"
    assert look_for("calm ocean waves").pace < look_for("ocean waves in a storm").pace
    assert look_for("a red balloon").palette.glow != look_for("a blue balloon").palette.glow


def test_it_lets_moods_pick_the_palette_and_places_the_terrain():
    look = look_for("a calm lake at night")

    assert look.palette == THEMES["night"].palette
    assert (look.terrain, look.front, look.sky) == ("islands", "water", "moon")


def test_it_makes_fire_warmer_than_the_ocean():
    # Cr (V) above 128 is red; the mean over a frame tells warm scenes from cool ones.
    fire = render_frames(small_spec("fire and flames"))[12][2].mean()
    ocean = render_frames(small_spec("the deep blue ocean"))[12][2].mean()

    assert fire > 150 > 128 > ocean


def test_it_gives_prompts_without_known_words_a_look_of_their_own():
    looks = {look_for(p) for p in ("a cat playing piano", "hello world", "quarterly report", "my birthday")}

    assert len(looks) == 4


def test_it_writes_the_prompt_as_a_caption():
    composer = FrameComposer(small_spec("Hello caption"))
    caption = composer.caption
    y, _, _ = composer.compose(30)
    box = y[caption.row : caption.row + caption.keep_y.shape[0], caption.col : caption.col + caption.keep_y.shape[1]]

    assert (box >= 225).sum() > 100  # white glyphs


def test_it_reports_progress_after_each_frame_up_to_one():
    control = ScriptedControl()
    ProceduralEngine().render(small_spec(), RecordingSink(), control)

    assert len(control.progress) == 24
    assert control.progress == sorted(control.progress)
    assert control.progress[-1] == 1.0


def test_it_stops_when_the_control_says_so():
    sink, control = RecordingSink(), ScriptedControl(stop_after=5)

    with pytest.raises(RenderStopped):
        ProceduralEngine().render(small_spec(duration=60), sink, control)
    assert len(sink.frames) == 5


@pytest.mark.parametrize("prompt", ["", "   ", "x" * 2000, "数字の夜 🌙", "night " * 300])
def test_it_renders_any_prompt(prompt):
    composer = FrameComposer(small_spec(prompt))
    y, u, v = composer.compose(0)

    assert y.shape == (480, 854)


@pytest.mark.parametrize("size", [(100, 96), (854, 60), (2000, 400), (855, 480)])
def test_it_refuses_frame_sizes_it_cannot_lay_out(size):
    with pytest.raises(PermanentEngineError, match="procedural engine draws"):
        FrameComposer(small_spec(width=size[0], height=size[1]))


@pytest.mark.parametrize("size", [(128, 96), (400, 100), (1080, 1920)])
def test_it_lays_out_unusual_frame_sizes_too(size):
    y, _, _ = FrameComposer(small_spec("neon city by the ocean", width=size[0], height=size[1])).compose(5)

    assert y.shape == (size[1], size[0])


def test_it_derives_a_stable_seed_from_the_prompt_in_any_process():
    code = "from jobs.generation.procedural.engine import seed_from_prompt; print(seed_from_prompt('a red fox'))"
    other_process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert int(other_process.stdout) == seed_from_prompt("a red fox")
    assert 0 <= seed_from_prompt("a red fox") < 2**31
    assert seed_from_prompt("a red fox") != seed_from_prompt("a red fox!")
