"""The streaming H.264 writer: what comes out plays back as what went in, and failures
leave no partial files behind."""

from __future__ import annotations

import av
import numpy as np
import pytest
from PIL import Image

from jobs.generation.encoder import ENCODER_SETTINGS, EncoderError, VideoEncoder, x264_params


def top_level_boxes(path) -> list[str]:
    """The MP4's top-level box types, in file order."""
    data = path.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        elif size == 0:
            break
        offset += size
    return boxes


def gradient_planes(width: int, height: int, shift: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smooth planes (so compression keeps them) that a sheared row would visibly break."""
    yy, xx = np.mgrid[0:height, 0:width]
    y = (40 + (xx + shift) * 150 // width + yy * 40 // height).astype(np.uint8)
    u = np.full((height // 2, width // 2), 100, np.uint8)
    v = (90 + np.mgrid[0 : height // 2, 0 : width // 2][1] * 60 // (width // 2)).astype(np.uint8)
    return y, u, v


def decoded_planes(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="yuv420p") for frame in container.decode(video=0)]


def encode(path, frames: int, width: int = 96, height: int = 64, quality: str = "medium") -> VideoEncoder:
    with VideoEncoder(path, width=width, height=height, fps=24, quality=quality, expected_frames=frames) as encoder:
        for i in range(frames):
            encoder.write_yuv420(*gradient_planes(width, height, shift=i))
    return encoder


def test_it_writes_a_faststart_h264_yuv420p_mp4(tmp_path):
    path = tmp_path / "out.mp4"
    facts = encode(path, frames=12).close()

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert (stream.width, stream.height) == (96, 64)
        assert sum(1 for _ in container.decode(video=0)) == 12
        assert float(container.duration / av.time_base) == pytest.approx(0.5, abs=0.05)
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat")
    assert facts.width == 96 and facts.height == 64 and facts.fps == 24 and facts.frames == 12
    assert facts.duration_seconds == 0.5 and facts.codec == "h264"
    assert facts.size_bytes == path.stat().st_size > 0


def test_it_copies_planes_row_by_row_whatever_the_line_padding(tmp_path):
    # 70 px rows are padded in AVFrame buffers; copying them flat would shear the picture.
    path = tmp_path / "padded.mp4"
    encode(path, frames=3, width=70, height=40, quality="high").close()

    expected = np.concatenate(gradient_planes(70, 40, shift=2), axis=None)
    decoded = decoded_planes(path)[2].ravel()
    assert np.abs(decoded.astype(int) - expected.astype(int)).mean() < 2


def test_it_converts_rgb_frames_to_bt601_planes(tmp_path):
    path = tmp_path / "rgb.mp4"
    red = np.zeros((64, 96, 3), np.uint8)
    red[..., 0] = 255
    with VideoEncoder(path, width=96, height=64, fps=24, quality="high") as encoder:
        for _ in range(3):
            encoder.write_rgb(red)

    with av.open(str(path)) as container:
        frame = next(container.decode(video=0)).to_ndarray(format="rgb24")
    assert np.abs(frame.reshape(-1, 3).mean(axis=0) - [255, 0, 0]).max() < 8


def test_it_encodes_with_the_crf_and_preset_of_the_quality(tmp_path):
    path = tmp_path / "low.mp4"
    encode(path, frames=2, quality="low").close()

    settings = ENCODER_SETTINGS["low"]
    header = path.read_bytes()
    assert f"crf={settings.crf}.0".encode() in header
    assert b"subme=2" in header  # what the veryfast preset sets


def test_it_bounds_x264_memory_only_above_1080p():
    assert x264_params(1920, 1080) == ""
    assert "rc-lookahead=" in x264_params(3840, 2160)
    assert "threads=2" in x264_params(3840, 2160)


def test_it_deletes_the_partial_file_when_the_block_raises(tmp_path):
    path = tmp_path / "partial.mp4"
    with pytest.raises(RuntimeError, match="engine broke"):
        with VideoEncoder(path, width=96, height=64, fps=24, quality="low") as encoder:
            encoder.write_yuv420(*gradient_planes(96, 64))
            raise RuntimeError("engine broke")
    assert not path.exists()


def test_it_deletes_the_partial_file_on_abort(tmp_path):
    path = tmp_path / "aborted.mp4"
    encoder = VideoEncoder(path, width=96, height=64, fps=24, quality="low")
    for _ in range(5):
        encoder.write_yuv420(*gradient_planes(96, 64))
    encoder.abort()
    encoder.abort()

    assert not path.exists()
    with pytest.raises(EncoderError):
        encoder.write_yuv420(*gradient_planes(96, 64))


def test_it_rejects_planes_that_do_not_fit_the_frame(tmp_path):
    with VideoEncoder(tmp_path / "x.mp4", width=96, height=64, fps=24, quality="low") as encoder:
        y, u, v = gradient_planes(96, 64)
        with pytest.raises(ValueError, match="do not fit"):
            encoder.write_yuv420(y, u[:-1], v)
        encoder.write_yuv420(y, u, v)


def test_it_refuses_odd_frame_sizes(tmp_path):
    with pytest.raises(ValueError, match="even"):
        VideoEncoder(tmp_path / "odd.mp4", width=95, height=64, fps=24, quality="low")
    assert not (tmp_path / "odd.mp4").exists()


def test_it_fails_to_close_without_frames_and_leaves_no_file(tmp_path):
    path = tmp_path / "empty.mp4"
    encoder = VideoEncoder(path, width=96, height=64, fps=24, quality="low")
    with pytest.raises(EncoderError, match="no frames"):
        encoder.close()
    assert not path.exists()


def test_it_returns_the_same_facts_when_closed_twice(tmp_path):
    encoder = encode(tmp_path / "twice.mp4", frames=2)
    assert encoder.close() == encoder.close()


def test_it_saves_the_frame_at_forty_percent_as_a_jpeg_poster_at_most_640_wide(tmp_path):
    path, poster = tmp_path / "poster.mp4", tmp_path / "poster.jpg"
    width, height, frames = 1280, 720, 10
    with VideoEncoder(path, width=width, height=height, fps=24, quality="low", expected_frames=frames) as encoder:
        for i in range(frames):  # frame i is flat grey 20 * i + 16
            encoder.write_yuv420(np.full((height, width), 16 + 20 * i, np.uint8),
                                 np.full((height // 2, width // 2), 128, np.uint8),
                                 np.full((height // 2, width // 2), 128, np.uint8))
    encoder.save_thumbnail(poster)

    with Image.open(poster) as image:
        assert image.format == "JPEG"
        assert image.size == (640, 360)
        grey = np.asarray(image.convert("L"), float).mean()
    frame_4_in_full_range = (16 + 20 * 4 - 16) * 255 / 219
    assert grey == pytest.approx(frame_4_in_full_range, abs=3)
