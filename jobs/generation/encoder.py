"""Streaming H.264/MP4 writer: the ``FrameSink`` every engine renders into.

Frames go to x264 as they arrive, through a small pool of reusable ``av.VideoFrame``
buffers and one encoder thread, so memory stays flat however long the video is and the
engine draws the next frame while x264 encodes the previous ones (PyAV releases the GIL
while encoding). One representative frame is kept for the poster image.

Use it as a context manager: leaving the block normally closes the file; leaving it with
an exception deletes the partial file.
"""

from __future__ import annotations

import os
import queue
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from jobs.generation.base import QUALITIES, VideoFacts


@dataclass(frozen=True)
class EncoderSettings:
    crf: int
    preset: str


# One table maps a quality to x264's rate factor and speed preset, so the benchmark can
# encode with exactly the same values. "veryfast" keeps a 2-core box near real time at
# 1080p; quality differs by CRF only, so the three levels cost about the same to encode.
ENCODER_SETTINGS: dict[str, EncoderSettings] = {
    "low": EncoderSettings(crf=28, preset="veryfast"),
    "medium": EncoderSettings(crf=23, preset="veryfast"),
    "high": EncoderSettings(crf=20, preset="veryfast"),
}

# Each x264 frame above 1080p costs ~40 MB of internal planes at 4k, and x264's defaults
# (3 frame threads, 3 B-frames, 10 frames of look-ahead) keep over a dozen alive: ~900 MB.
# Above this size: two slice threads (one frame in flight), no B-frames and one frame of
# look-ahead (which keeps most of mb-tree's saving), ~320 MB for the whole 4k render.
LARGE_FRAME_PIXELS = 1920 * 1080
LARGE_FRAME_X264_PARAMS = "threads=2:sliced-threads=1:sync-lookahead=0:rc-lookahead=1:bframes=0"

# x264's output depends on its thread count, and left to itself x264 counts the CPUs the
# encoding thread may use: the same frames then make another video on a machine with
# more or fewer cores. 3 frame threads is x264's own choice on the 2-core boxes the CPU
# queue is sized for.
X264_THREADS = 3

# Frames in flight between the engine and x264: one being filled, one being encoded,
# one spare so neither side waits on the other in the common case. Large frames do
# without the spare (12 MB each at 4k; x264's own frame threads already buffer).
POOL_SIZE = 3
LARGE_FRAME_POOL_SIZE = 2

# The poster is the frame at this fraction of the video: past any fade-in, before the end.
POSTER_AT = 0.4
THUMBNAIL_MAX_WIDTH = 640


def x264_params(width: int, height: int) -> str:
    """The ``x264-params`` string for this frame size ("" means x264's preset defaults)."""
    return LARGE_FRAME_X264_PARAMS if width * height > LARGE_FRAME_PIXELS else ""


class EncoderError(Exception):
    """The encoder failed (bad frame, x264 or disk error); the partial file is gone."""


def plane_view(frame: av.VideoFrame, index: int, rows: int, cols: int) -> np.ndarray:
    """A writable (rows, cols) view of one plane, skipping the ``line_size`` padding."""
    plane = frame.planes[index]
    return np.frombuffer(plane, np.uint8).reshape(rows, plane.line_size)[:, :cols]


class _PooledFrame:
    """An ``av.VideoFrame`` and numpy views of its three planes, made once and reused."""

    def __init__(self, width: int, height: int) -> None:
        self.frame = av.VideoFrame(width, height, "yuv420p")
        self.y = plane_view(self.frame, 0, height, width)
        self.u = plane_view(self.frame, 1, height // 2, width // 2)
        self.v = plane_view(self.frame, 2, height // 2, width // 2)


class VideoEncoder:
    """Write an H.264 MP4 (yuv420p, faststart) frame by frame; a ``PlaneBufferSink``.

    ``expected_frames`` only chooses which frame becomes the poster; any number of frames
    may be written. Not thread-safe: one engine writes from one thread.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        width: int,
        height: int,
        fps: int,
        quality: str,
        expected_frames: int | None = None,
    ) -> None:
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError(f"yuv420p needs a positive, even frame size, not {width}x{height}")
        if quality not in QUALITIES:
            raise ValueError(f"quality must be one of {QUALITIES}, not {quality!r}")
        if fps <= 0:
            raise ValueError(f"fps must be positive, not {fps}")
        self.path = Path(path)
        self.width, self.height, self.fps = width, height, fps
        self._frames = 0
        self._poster_index = int((expected_frames or 0) * POSTER_AT)
        self._poster: Image.Image | None = None
        self._facts: VideoFacts | None = None
        self._lent: _PooledFrame | None = None  # buffers handed out by next_yuv420_buffers
        self._finished = False
        self._error: BaseException | None = None
        self._dropping = False  # set on abort: the encoder thread discards what is queued

        settings = ENCODER_SETTINGS[quality]
        options = {"crf": str(settings.crf), "preset": settings.preset}
        if params := x264_params(width, height):
            options["x264-params"] = params
        self._container = av.open(str(self.path), "w", format="mp4", options={"movflags": "+faststart"})
        try:
            self._stream = self._container.add_stream("libx264", rate=fps, options=options)
            self._stream.width, self._stream.height = width, height
            self._stream.pix_fmt = "yuv420p"
            codec = self._stream.codec_context
            # Like the ffmpeg CLI: frame threads, not PyAV's default slice threads.
            codec.thread_type = "FRAME"
            codec.thread_count = X264_THREADS  # large frames: x264_params' slice threads win
            # Engines hand over BT.601 limited-range planes; say so, or players guess BT.709 at HD.
            codec.colorspace = av.video.reformatter.Colorspace.ITU601
            codec.color_range = av.video.reformatter.ColorRange.MPEG
            self._time_base = Fraction(1, fps)
            self._free: queue.Queue[_PooledFrame] = queue.Queue()
            large = width * height > LARGE_FRAME_PIXELS
            for _ in range(LARGE_FRAME_POOL_SIZE if large else POOL_SIZE):
                self._free.put(_PooledFrame(width, height))
            self._pending: queue.Queue[_PooledFrame | None] = queue.Queue()
            self._thread = threading.Thread(target=self._encode_loop, name="video-encoder", daemon=True)
            self._thread.start()
        except BaseException:
            self._container.close()
            self.path.unlink(missing_ok=True)
            raise

    # FrameSink ---------------------------------------------------------------------------

    def write_yuv420(self, y: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
        """Queue one frame given as BT.601 limited-range planes; blocks while the pool is busy."""
        half = (self.height // 2, self.width // 2)
        if y.shape != (self.height, self.width) or u.shape != half or v.shape != half:
            raise ValueError(f"planes {y.shape}, {u.shape}, {v.shape} do not fit {self.width}x{self.height}")
        lent_y, lent_u, lent_v = self.next_yuv420_buffers()
        np.copyto(lent_y, y, casting="unsafe")
        np.copyto(lent_u, u, casting="unsafe")
        np.copyto(lent_v, v, casting="unsafe")
        self.commit_yuv420()

    def next_yuv420_buffers(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The planes of the next frame to draw into (``PlaneBufferSink``); blocks while busy."""
        self._check_writable()
        if self._lent is None:
            pooled = self._free.get()
            if self._error is not None:
                self._free.put(pooled)
                raise EncoderError("the encoder failed") from self._error
            self._lent = pooled
        return self._lent.y, self._lent.u, self._lent.v

    def commit_yuv420(self) -> None:
        """Queue the frame drawn into the lent buffers."""
        self._check_writable()
        if self._lent is None:
            raise EncoderError("no buffers were lent, so there is no frame to commit")
        pooled, self._lent = self._lent, None
        self._keep_poster(pooled)
        pooled.frame.pts = self._frames
        pooled.frame.time_base = self._time_base
        self._frames += 1
        self._pending.put(pooled)

    def write_rgb(self, frame: np.ndarray) -> None:
        """Queue one (height, width, 3) uint8 RGB frame (converted to BT.601 by swscale)."""
        if frame.shape != (self.height, self.width, 3):
            raise ValueError(f"frame shape {frame.shape} does not fit {self.width}x{self.height}")
        yuv = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame, np.uint8), format="rgb24")
        yuv = yuv.reformat(format="yuv420p")
        h, w = self.height, self.width
        self.write_yuv420(
            plane_view(yuv, 0, h, w), plane_view(yuv, 1, h // 2, w // 2), plane_view(yuv, 2, h // 2, w // 2)
        )

    # Ending ------------------------------------------------------------------------------

    def close(self) -> VideoFacts:
        """Flush x264, finish the MP4 and describe it. Idempotent after success.

        On failure the partial file is deleted and ``EncoderError`` is raised.
        """
        if self._facts is not None:
            return self._facts
        self._check_writable()
        self._finished = True
        self._stop_thread()
        try:
            if self._error is not None:
                raise EncoderError("the encoder failed") from self._error
            if self._frames == 0:
                raise EncoderError("no frames were written")
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
        except BaseException as error:
            self._discard()
            if isinstance(error, EncoderError):
                raise
            raise EncoderError(str(error)) from error
        self._facts = VideoFacts(
            width=self.width,
            height=self.height,
            fps=self.fps,
            frames=self._frames,
            duration_seconds=self._frames / self.fps,
            size_bytes=self.path.stat().st_size,
        )
        return self._facts

    def abort(self) -> None:
        """Stop encoding and delete the partial file. Safe to call more than once."""
        if self._facts is not None or (self._finished and not self.path.exists()):
            return
        self._finished = True
        self._dropping = True
        self._stop_thread()
        self._discard()

    def __enter__(self) -> VideoEncoder:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # Poster ------------------------------------------------------------------------------

    def save_thumbnail(self, path: str | os.PathLike[str]) -> None:
        """Write the poster frame as a JPEG at most ``THUMBNAIL_MAX_WIDTH`` wide, aspect kept."""
        if self._poster is None:
            raise EncoderError("no frame was written, so there is no poster")
        self._poster.save(path, format="JPEG", quality=85, optimize=True)

    # Internals ---------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self._finished:
            raise EncoderError("the encoder is already closed")

    def _keep_poster(self, pooled: _PooledFrame) -> None:
        # The first frame stands in until the chosen one arrives (short or cut-off renders).
        # Only the scaled-down RGB image is kept: a full 4k frame would cost 12 MB.
        if self._frames not in (0, self._poster_index):
            return
        width = min(self.width, THUMBNAIL_MAX_WIDTH)
        height = max(2, round(self.height * width / self.width / 2) * 2)
        small = pooled.frame.reformat(width=width, height=height, format="rgb24", interpolation="AREA")
        self._poster = small.to_image()

    def _encode_loop(self) -> None:
        """Encoder thread: encode and mux queued frames in order until the ``None`` sentinel.

        After a failure it keeps returning frames to the pool (without encoding), so the
        writer never blocks forever; the writer sees ``_error`` and raises.
        """
        while (pooled := self._pending.get()) is not None:
            try:
                if self._error is None and not self._dropping:
                    for packet in self._stream.encode(pooled.frame):
                        self._container.mux(packet)
            except BaseException as error:  # noqa: BLE001 - handed to the writer's thread
                self._error = error
            finally:
                self._free.put(pooled)

    def _stop_thread(self) -> None:
        self._pending.put(None)
        self._thread.join()

    def _discard(self) -> None:
        try:
            self._container.close()
        except Exception:  # noqa: BLE001 - the file is being thrown away anyway
            pass
        self.path.unlink(missing_ok=True)
