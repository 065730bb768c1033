"""What `videogen run` shows while it waits: the queue position while queued, the
render percentage while processing, then the download. Bars only on a terminal;
otherwise one line per change of state, so logs stay readable."""

from __future__ import annotations

import sys
from typing import Optional, TextIO

from tqdm import tqdm


def describe(job: dict) -> str:
    status = job["status"]
    if status == "queued":
        position = job.get("queuePosition")
        return f"queued (position {position})" if position else "queued"
    if status == "processing":
        return "rendering"
    return status


class RunProgress:
    def __init__(self, stream: TextIO = sys.stderr, bars: Optional[bool] = None):
        self.stream = stream
        self.bars = stream.isatty() if bars is None else bars
        self._render: Optional[tqdm] = None
        self._download: Optional[tqdm] = None
        self._last_line = ""

    def job(self, job: dict) -> None:
        label = describe(job)
        if not self.bars:
            line = f"{job['id']}: {label}"
            if line != self._last_line:
                print(line, file=self.stream, flush=True)
                self._last_line = line
            return
        if self._render is None:
            self._render = tqdm(total=100, file=self.stream, unit="%", leave=True,
                                bar_format="{desc:<24} {percentage:3.0f}%|{bar}| {elapsed}")
        self._render.set_description_str(label, refresh=False)
        self._render.n = int(job.get("progress") or 0)
        self._render.refresh()

    def download(self, done: int, total: Optional[int]) -> None:
        if not self.bars:
            return
        if self._download is None:
            self._finish_render()
            self._download = tqdm(total=total, file=self.stream, unit="B", unit_scale=True, unit_divisor=1024,
                                  desc="downloading")
        self._download.update(done - self._download.n)

    def _finish_render(self) -> None:
        if self._render is not None:
            self._render.close()
            self._render = None

    def close(self) -> None:
        self._finish_render()
        if self._download is not None:
            self._download.close()
            self._download = None
