"""Peak memory of a long, large procedural render, measured in a fresh child process.

    python -m benchmarks.render_memory [--resolution 4k] [--seconds 60]

Prints ``render_<resolution>_<seconds>s_peak_rss_mb=<MB>``: the child's own peak resident
set (``VmHWM``, read by the child as it finishes). Not ``ru_maxrss`` from ``wait4``: Linux
keeps that across exec, so it would also count the benchmark driver's pages the child
shared between fork and exec. The target at 4k for 60 s is 400 MB.
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
from jobs.generation.procedural.engine import ProceduralEngine
from jobs.generation.render import render_video

resolution, seconds, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
width, height = RESOLUTIONS[resolution]
spec = RenderSpec(prompt="a neon city at night", width=width, height=height, fps=24,
                  duration=seconds, quality="medium", seed=7)
outcome = render_video(engine=ProceduralEngine(), spec=spec, video_path=folder / "memory.mp4",
                       thumbnail_path=folder / "memory.jpg", control=NullControl())
assert outcome.facts.frames == spec.frame_count
# The high-water mark of this process's own memory since exec. (ru_maxrss from wait4
# would also count the parent's pages shared between fork and exec.)
for line in Path("/proc/self/status").read_text().splitlines():
    if line.startswith("VmHWM:"):
        print(line.split()[1])
"""


def peak_rss_mb(resolution: str = "4k", seconds: int = 60) -> float:
    """Render in a child process and return its peak resident set size in MB."""
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    scratch = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=scratch, prefix="videogen-memory-") as folder:
        result = subprocess.run([sys.executable, "-c", CHILD, resolution, str(seconds), folder],
                                cwd=project_root, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"the render child failed: {result.stderr[-2000:]}")
    return round(int(result.stdout.split()[-1]) / 1024, 1)  # VmHWM is in kB


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
