"""The procedural engine animating a still image: real frames, compared with the image."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from jobs.generation.base import NullControl, RenderSpec
from jobs.generation.procedural.engine import ProceduralEngine
from jobs.generation.procedural.image import MOVES, ImageComposer, rgb_to_yuv_planes
from jobs.tests.image_files import gradient_png
from jobs.tests.test_generation_procedural import LendingSink, RecordingSink


def picture(size=(320, 240)) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(gradient_png(size))).convert("RGB"))


def spec_with(image, *, prompt="a quiet harbour at dawn", seed=3, width=320, height=180, fps=12, duration=1):
    return RenderSpec(prompt=prompt, width=width, height=height, fps=fps, duration=duration, quality="low",
                      seed=seed, image=image)


def render(spec, sink=None):
    sink = sink or RecordingSink()
    ProceduralEngine().render(spec, sink, NullControl())
    return sink.frames


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(np.corrcoef(a, b)[0, 1])


def image_luma_at(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """The image's luma scaled to cover ``width`` x ``height`` and centre-cropped."""
    from PIL import ImageOps

    fitted = np.asarray(ImageOps.fit(Image.fromarray(image), (width, height)))
    return rgb_to_yuv_planes(fitted)[0]


def test_it_writes_every_frame_at_the_requested_size():
    frames = render(spec_with(picture()))

    assert len(frames) == 12
    assert all(y.shape == (180, 320) and u.shape == v.shape == (90, 160) for y, u, v in frames)


def test_the_first_frame_resembles_the_image_and_an_unrelated_picture_does_not():
    image = picture()
    first_y = render(spec_with(image, seed=0))[0][0]
    # Rows above the caption, which covers part of the bottom.
    rows = slice(0, 110)

    assert correlation(first_y[rows], image_luma_at(image, 320, 180)[rows]) > 0.8
    noise = np.random.default_rng(1).integers(0, 255, (240, 320, 3), dtype=np.uint8)
    assert correlation(first_y[rows], image_luma_at(noise, 320, 180)[rows]) < 0.3


@pytest.mark.parametrize("seed", range(8))
def test_the_camera_moves_over_the_image(seed):
    frames = render(spec_with(picture(), seed=seed, duration=2))
    first, middle, last = frames[0][0], frames[len(frames) // 2][0], frames[-1][0]
    top = slice(0, 100)  # away from the caption, which fades in

    # The picture changes from frame to frame, and steadily: not a still, not a cut.
    assert np.abs(first[top].astype(int) - last[top].astype(int)).mean() > 1.5
    step = [np.abs(a[0][top].astype(int) - b[0][top].astype(int)).mean() for a, b in zip(frames, frames[1:])]
    assert max(step) < 6 * (np.mean(step) + 0.1)
    assert correlation(first[top], middle[top]) > 0.5


def test_every_move_is_reachable_and_the_seed_and_prompt_choose_it():
    moves = {ImageComposer(spec_with(picture(), seed=seed), picture()).move for seed in range(40)}

    assert moves == set(MOVES)


def test_the_same_image_prompt_and_seed_give_the_same_frames():
    image = picture()
    a = render(spec_with(image, seed=5))
    b = render(spec_with(image.copy(), seed=5))
    c = render(spec_with(image, seed=6))

    assert all(np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1]) for x, y in zip(a, b))
    assert any(not np.array_equal(x[0], y[0]) for x, y in zip(a, c))


def test_the_prompts_mood_tints_the_picture():
    image = picture()
    night = render(spec_with(image, prompt="night", seed=1))[0]
    fire = render(spec_with(image, prompt="fire", seed=1))[0]

    assert np.abs(night[2].astype(int) - fire[2].astype(int)).mean() > 1.0


def test_drawing_into_lent_buffers_sets_every_pixel():
    image = picture((200, 300))  # portrait into landscape: covered, then cropped
    lent = render(spec_with(image, seed=2), LendingSink(320, 180))
    own = render(spec_with(image, seed=2))

    assert all(np.array_equal(x[0], y[0]) and np.array_equal(x[2], y[2]) for x, y in zip(lent, own))


@pytest.mark.parametrize("size", [(1, 1), (4096, 16), (16, 4096), (640, 480)])
def test_any_accepted_image_shape_renders(size):
    image = np.full((size[1], size[0], 3), 120, np.uint8)

    frames = render(spec_with(image, width=256, height=144, fps=4))

    assert len(frames) == 4


@pytest.mark.parametrize("size", [(640, 360), (641, 361), (333, 777)])
def test_odd_and_even_image_sizes_render_at_odd_half_widths(size):
    # 854 wide: the chroma planes are 427 wide; the image's cover scale makes odd sources.
    image = np.full((size[1], size[0], 3), 90, np.uint8)

    frames = render(spec_with(image, width=854, height=480, fps=6))

    assert len(frames) == 6
