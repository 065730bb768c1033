"""Peak memory of a long, large procedural render, measured in a fresh child process.

    python -m benchmarks.render_memory [--resolution 4k] [--seconds 60]

Prints ``render_<resolution>_<seconds>s_peak_rss_mb=<MB>``: the child's ``ru_maxrss`` as
reported by ``wait4`` for that child alone (so FFmpeg runs elsewhere in the benchmark
cannot inflate it). The target at 4k for 60 s is 400 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

CHILD = """
import sys
from pathlib import Path
from jobs.generation.base import RESOLUTIONS, NullControl, RenderSpec
from jobs.generation.procedural import ProceduralEngine
from jobs.generation.render import render_video

resolution, seconds, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
width, height = RESOLUTIONS[resolution]
spec = RenderSpec(prompt="a neon city at night", width=width, height=height, fps=24,
                  duration=seconds, quality="medium", seed=7)
outcome = render_video(engine=ProceduralEngine(), spec=spec, video_path=folder / "memory.mp4",
                       thumbnail_path=folder / "memory.jpg", control=NullControl())
assert outcome.facts.frames == spec.frame_count
"""


def peak_rss_mb(resolution: str = "4k", seconds: int = 60) -> float:
    """Render in a child process and return its peak resident set size in MB."""
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    scratch = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=scratch, prefix="videogen-memory-") as folder:
        process = subprocess.Popen([sys.executable, "-c", CHILD, resolution, str(seconds), folder],
                                   cwd=project_root)
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("the render child failed")
    return round(usage.ru_maxrss / 1024, 1)  # Linux reports kilobytes


def run(quick: bool = False) -> dict[str, float]:
    """The figure for a benchmark driver (memory is flat over time, so quick changes nothing)."""
    figures = {"render_4k_60s_peak_rss_mb": peak_rss_mb("4k", 60)}
    for name, value in figures.items():
        print(f"{name}={value}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resolution", default="4k")
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    print(f"render_{args.resolution}_{args.seconds}s_peak_rss_mb={peak_rss_mb(args.resolution, args.seconds)}")


if __name__ == "__main__":
    main()
