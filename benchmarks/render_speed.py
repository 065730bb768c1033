"""How fast the procedural render path is, against FFmpeg encoding the very same frames.

    python -m benchmarks.render_speed [--quick] [--cases 1080p:medium,4k:low] [--memory]

For each resolution x quality (10 s at 24 fps) it times, interleaved, median of
``--runs`` (3; 1 with ``--quick``):

* ours: ``render_video`` with the procedural engine, i.e. frame generation, plane copies,
  x264 encoding, MP4 muxing (faststart) and the poster JPEG;
* ffmpeg_raw: the FFmpeg binary from imageio-ffmpeg encoding the same frames, dumped
  beforehand as raw yuv420p on /dev/shm, with the same size, rate, CRF, preset and
  x264-params (the target: ours takes at most 1/0.9 of its time);
* ffmpeg_testsrc2: FFmpeg encoding its own ``testsrc2`` source at the same settings.

The ratio is ffmpeg_raw time / our time (1.0 = as fast as encoding alone). It prints a
table and then one ``name=value`` line per figure; ``run()`` returns the same figures.
``--memory`` adds ``render_4k_60s_peak_rss_mb`` (see ``benchmarks.render_memory``).
Wall times on a shared box are noisy, so CPU seconds (all threads) are reported as well.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import imageio_ffmpeg
import numpy as np

from jobs.generation.base import QUALITIES, RESOLUTIONS, NullControl, RenderSpec
from jobs.generation.encoder import ENCODER_SETTINGS, X264_THREADS, x264_params
from jobs.generation.procedural.engine import ProceduralEngine
from jobs.generation.render import render_video

PROMPT = "a neon city at night, calm"
SEED = 7
FPS = 24
SECONDS = 10
SCRATCH = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


@dataclass(frozen=True)
class CaseResult:
    resolution: str
    quality: str
    ours: Timing
    ffmpeg_raw: Timing
    ffmpeg_testsrc2: Timing
    options_match: bool

    @property
    def ratio(self) -> float:
        return self.ffmpeg_raw.wall / self.ours.wall

    @property
    def cpu_ratio(self) -> float:
        return self.ffmpeg_raw.cpu / self.ours.cpu


class RawFileSink:
    """A FrameSink that appends raw yuv420p frames to a file (FFmpeg's rawvideo input)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle

    def write_yuv420(self, y: np.ndarray, u: np.ndarray, v: np.ndarray) -> None:
        for plane in (y, u, v):
            self.handle.write(np.ascontiguousarray(plane).data)

    def write_rgb(self, frame: np.ndarray) -> None:
        raise NotImplementedError("the procedural engine writes planes")


def spec_for(resolution: str, quality: str) -> RenderSpec:
    width, height = RESOLUTIONS[resolution]
    return RenderSpec(prompt=PROMPT, width=width, height=height, fps=FPS, duration=SECONDS,
                      quality=quality, seed=SEED)


def ffmpeg_command(spec: RenderSpec, source: list[str], output: Path) -> list[str]:
    settings = ENCODER_SETTINGS[spec.quality]
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *source,
               "-c:v", "libx264", "-preset", settings.preset, "-crf", str(settings.crf),
               "-threads", str(X264_THREADS)]
    if params := x264_params(spec.width, spec.height):
        command += ["-x264-params", params]
    return command + ["-pix_fmt", "yuv420p", "-movflags", "+faststart", str(output)]


def time_child(command: list[str]) -> Timing:
    started = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed with {process.returncode}")
    return Timing(wall, usage.ru_utime + usage.ru_stime)


def time_ours(spec: RenderSpec, video: Path, thumbnail: Path) -> Timing:
    started, cpu = time.perf_counter(), time.process_time()
    render_video(engine=ProceduralEngine(), spec=spec, video_path=video, thumbnail_path=thumbnail,
                 control=NullControl())
    return Timing(time.perf_counter() - started, time.process_time() - cpu)


def x264_options(path: Path) -> str:
    """The option string x264 writes into its SEI, to check both sides used the same."""
    match = re.search(rb"options: ([^\x00]*)", path.read_bytes()[:200_000])
    return match.group(1).decode() if match else ""


def median(timings: list[Timing]) -> Timing:
    return Timing(statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings))


def run_case(resolution: str, quality: str, runs: int) -> CaseResult:
    spec = spec_for(resolution, quality)
    tag = f"videogen-bench-{os.getpid()}-{resolution}-{quality}"
    raw, ours_mp4, thumb = SCRATCH / f"{tag}.yuv", SCRATCH / f"{tag}.mp4", SCRATCH / f"{tag}.jpg"
    raw_mp4, src_mp4 = SCRATCH / f"{tag}-raw.mp4", SCRATCH / f"{tag}-testsrc2.mp4"
    size = f"{spec.width}x{spec.height}"
    try:
        with raw.open("wb") as handle:
            ProceduralEngine().render(spec, RawFileSink(handle), NullControl())
        raw_source = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", size, "-r", str(FPS), "-i", str(raw)]
        src_source = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={FPS}", "-t", str(SECONDS)]
        ours, ffmpeg_raw, ffmpeg_src = [], [], []
        for _ in range(runs):  # interleaved, so load from elsewhere hits all three alike
            ours.append(time_ours(spec, ours_mp4, thumb))
            ffmpeg_raw.append(time_child(ffmpeg_command(spec, raw_source, raw_mp4)))
            ffmpeg_src.append(time_child(ffmpeg_command(spec, src_source, src_mp4)))
        same = x264_options(ours_mp4) == x264_options(raw_mp4) != ""
        return CaseResult(resolution, quality, median(ours), median(ffmpeg_raw), median(ffmpeg_src), same)
    finally:
        for path in (raw, ours_mp4, thumb, raw_mp4, src_mp4):
            path.unlink(missing_ok=True)


def figures_of(results: Iterable[CaseResult]) -> dict[str, float]:
    frames = FPS * SECONDS
    figures: dict[str, float] = {}
    for r in results:
        key = f"{r.resolution}_{r.quality}"
        figures[f"render_{key}_fps"] = round(frames / r.ours.wall, 2)
        figures[f"ffmpeg_raw_{key}_fps"] = round(frames / r.ffmpeg_raw.wall, 2)
        figures[f"ffmpeg_testsrc2_{key}_fps"] = round(frames / r.ffmpeg_testsrc2.wall, 2)
        figures[f"render_{key}_ratio"] = round(r.ratio, 3)
        figures[f"render_{key}_cpu_ratio"] = round(r.cpu_ratio, 3)
    return figures


def print_table(results: list[CaseResult]) -> None:
    frames = FPS * SECONDS
    print(f"{'case':<14}{'ours fps':>10}{'ffmpeg raw':>12}{'testsrc2':>10}{'ratio':>8}{'cpu ratio':>11}  x264 options")
    for r in results:
        print(f"{r.resolution + ' ' + r.quality:<14}{frames / r.ours.wall:>10.1f}{frames / r.ffmpeg_raw.wall:>12.1f}"
              f"{frames / r.ffmpeg_testsrc2.wall:>10.1f}{r.ratio:>8.3f}{r.cpu_ratio:>11.3f}  "
              f"{'same' if r.options_match else 'DIFFER'}")


def parse_cases(text: str | None) -> list[tuple[str, str]]:
    if not text:
        return [(res, q) for res in RESOLUTIONS for q in QUALITIES]
    cases = [tuple(item.split(":")) for item in text.split(",")]
    for case in cases:
        if len(case) != 2 or case[0] not in RESOLUTIONS or case[1] not in QUALITIES:
            raise SystemExit(f"bad case {':'.join(case)!r}: use resolution:quality, e.g. 1080p:medium")
    return cases  # type: ignore[return-value]


def run(quick: bool, cases: str | None = None, runs: int | None = None, memory: bool = False) -> dict[str, float]:
    """Run the benchmark and return its figures (``name -> value``); also prints them."""
    print(f"{os.cpu_count()} CPUs, load {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{FPS} fps x {SECONDS} s, prompt {PROMPT!r}")
    results = []
    for resolution, quality in parse_cases(cases):
        results.append(run_case(resolution, quality, runs or (1 if quick else 3)))
        print_table(results[-1:])  # progress: the matrix takes minutes
    figures = figures_of(results)  # includes render_1080p_medium_ratio, the headline
    if memory:
        from benchmarks.render_memory import peak_rss_mb

        figures["render_4k_60s_peak_rss_mb"] = peak_rss_mb("4k", 60)
    print()
    print_table(results)
    for name, value in figures.items():
        print(f"{name}={value}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run per case instead of three")
    parser.add_argument("--runs", type=int, help="runs per case (median is reported)")
    parser.add_argument("--cases", help="comma-separated resolution:quality, e.g. 1080p:medium")
    parser.add_argument("--memory", action="store_true", help="also measure 4k 60 s peak RSS")
    args = parser.parse_args()
    run(args.quick, cases=args.cases, runs=args.runs, memory=args.memory)


if __name__ == "__main__":
    main()
