"""A text-to-video engine running a Hugging Face diffusers pipeline (Wan 2.1, LTX-Video, CogVideoX).

The model is loaded once per process and kept: loading takes far longer than a short
render, so every later job with the same source, pipeline, device and dtype reuses it
(run the worker in-process, e.g. RQ's SimpleWorker, or a forked job loses it).

Models come from a local folder or the local Hugging Face cache only; nothing is ever
downloaded. torch and diffusers are optional (``requirements-diffusion.txt``) and are
imported only when a pipeline is needed, so importing this module never requires them.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jobs.generation.base import (
    EngineError,
    FrameSink,
    PermanentEngineError,
    RenderControl,
    RenderSpec,
    RenderStopped,
)

MISSING_EXTRA_MESSAGE = "the diffusers engine needs the diffusion extra: pip install -r requirements-diffusion.txt"

# Share of the progress bar given to the diffusion steps; writing frames gets the rest.
STEPS_SHARE = 0.9

DTYPES = ("auto", "float32", "bfloat16", "float16")

# "owner/name" or a bare "name", as the Hugging Face hub spells repository ids.
_HUB_ID = re.compile(r"^[\w.-]+(/[\w.-]+)?$")


@dataclass(frozen=True)
class PipelineFamily:
    """What a diffusers pipeline class accepts: frame counts are ``frame_step * k + 1``
    and both sides a multiple of ``side_step``."""

    class_name: str
    frame_step: int
    side_step: int

    @property
    def class_prefix(self) -> str:
        """What every pipeline class of this family starts with ("Wan" for WanPipeline)."""
        return self.class_name.removesuffix("Pipeline")

    def frames_for(self, wanted: int) -> int:
        """The smallest valid frame count that is at least ``wanted``."""
        k = max(0, -(-(wanted - 1) // self.frame_step))  # ceil((wanted - 1) / frame_step)
        return self.frame_step * k + 1

    def side_for(self, wanted: int) -> int:
        """The nearest valid side length to ``wanted`` (at least one step)."""
        return max(self.side_step, round(wanted / self.side_step) * self.side_step)


PIPELINES: dict[str, PipelineFamily] = {
    "wan": PipelineFamily("WanPipeline", frame_step=4, side_step=16),
    "ltx": PipelineFamily("LTXPipeline", frame_step=8, side_step=32),
    # VAE x8 spatially then 2x2 patches (the docs' "divisible by 8" is not enough for 1.0
    # or 1.5); 4x temporal compression, hence 4k+1 frames (the default is 49).
    "cogvideox": PipelineFamily("CogVideoXPipeline", frame_step=4, side_step=16),
}


class DiffusersEngine:
    provider = "diffusers"

    def __init__(
        self,
        *,
        source: str,
        pipeline: str = "wan",
        steps: int,
        guidance_scale: float,
        native_width: int,
        native_height: int,
        device: str | None = None,
        dtype: str = "auto",
        max_sequence_length: int | None = None,
    ) -> None:
        """``source`` is a model folder or a hub id already in the local Hugging Face cache.
        ``native_width`` x ``native_height`` is the size the model generates at (snapped to
        the family's rules); frames are then resized to each job's size. ``device`` None
        picks cuda when available, else cpu; ``dtype`` "auto" picks bfloat16 on cuda and
        float32 elsewhere. ``max_sequence_length`` caps the prompt's tokens when set."""
        if pipeline not in PIPELINES:
            raise PermanentEngineError(
                f"Unknown diffusers pipeline '{pipeline}': expected one of {', '.join(PIPELINES)}."
            )
        if dtype not in DTYPES:
            raise PermanentEngineError(f"Unknown dtype '{dtype}': expected one of {', '.join(DTYPES)}.")
        if steps < 1:
            raise PermanentEngineError(f"steps must be at least 1, not {steps}.")
        self.source = source
        self.pipeline = pipeline
        self.family = PIPELINES[pipeline]
        self.steps = steps
        self.guidance_scale = guidance_scale
        self.width = self.family.side_for(native_width)
        self.height = self.family.side_for(native_height)
        self.device = device
        self.dtype = dtype
        self.max_sequence_length = max_sequence_length

    def render(self, spec: RenderSpec, sink: FrameSink, control: RenderControl) -> None:
        if control.should_stop():
            raise RenderStopped()
        loaded = _loaded_pipeline(source=self.source, pipeline=self.pipeline, device=self.device, dtype=self.dtype)
        # One pipeline object holds per-call state (the scheduler's), so jobs sharing it
        # take turns; a job waiting for its turn still notices a stop.
        while not loaded.run_lock.acquire(timeout=0.5):
            if control.should_stop():
                raise RenderStopped()
        try:
            frames = self._generate(loaded, spec, control)
        finally:
            loaded.run_lock.release()
        self._write(frames, spec, sink, control)

    def _generate(self, loaded: _LoadedPipeline, spec: RenderSpec, control: RenderControl) -> np.ndarray:
        """Run the diffusion steps; return the frames as (frames, height, width, 3) floats in 0-1."""
        import torch

        def on_step_end(pipe: Any, step: int, timestep: Any, callback_kwargs: dict) -> dict:
            # Raising here aborts at once (pipe._interrupt would still decode) and leaves
            # the pipeline ready for the next call.
            if control.should_stop():
                raise RenderStopped()
            control.report_progress(STEPS_SHARE * (step + 1) / max(1, pipe.num_timesteps))
            return callback_kwargs

        kwargs: dict[str, Any] = {
            "prompt": spec.prompt,
            "width": self.width,
            "height": self.height,
            "num_frames": self.family.frames_for(spec.frame_count),
            "num_inference_steps": self.steps,
            "guidance_scale": self.guidance_scale,
            # A CPU generator draws the same noise whatever the device, so a seed means
            # the same video on a laptop and on a GPU host (up to float precision).
            "generator": torch.Generator("cpu").manual_seed(spec.seed),
            "output_type": "np",
            "callback_on_step_end": on_step_end,
        }
        if self.pipeline == "ltx":
            kwargs["frame_rate"] = spec.fps  # LTX conditions its motion on the playback rate
        if self.max_sequence_length is not None:
            kwargs["max_sequence_length"] = self.max_sequence_length

        control.report_progress(0.0)
        try:
            with torch.inference_mode():
                output = loaded.pipe(**kwargs)
        except torch.OutOfMemoryError as exc:
            # Memory held by another process may be free on the next attempt.
            raise EngineError(f"out of memory generating {self.width}x{self.height} on {loaded.device}") from exc
        return output.frames[0]

    def _write(self, frames: np.ndarray, spec: RenderSpec, sink: FrameSink, control: RenderControl) -> None:
        from PIL import Image, ImageOps

        count = spec.frame_count
        if len(frames) < count:
            raise EngineError(f"the pipeline returned {len(frames)} frames, {count} were needed")
        size = (spec.width, spec.height)
        for index in range(count):
            if control.should_stop():
                raise RenderStopped()
            rgb = (np.clip(frames[index], 0.0, 1.0) * 255.0).round().astype(np.uint8)
            image = Image.fromarray(rgb)
            if image.size != size:
                # Scale to cover the target and crop the centre: a native 832x480 frame
                # becomes 854x480 without stretching.
                image = ImageOps.fit(image, size, method=Image.Resampling.LANCZOS)
            sink.write_rgb(np.asarray(image))
            control.report_progress(STEPS_SHARE + (1.0 - STEPS_SHARE) * (index + 1) / count)


# --- The per-process pipeline cache -------------------------------------------------------


@dataclass
class _LoadedPipeline:
    pipe: Any
    device: str
    run_lock: threading.Lock


_cache: dict[tuple[str, str, str, str], _LoadedPipeline] = {}
_cache_lock = threading.Lock()
_key_locks: dict[tuple[str, str, str, str], threading.Lock] = {}
_load_count = 0


def load_count() -> int:
    """How many pipelines this process has loaded from disk (cache misses)."""
    return _load_count


def forget_pipelines() -> None:
    """Drop every cached pipeline (frees their memory once no render holds them)."""
    with _cache_lock:
        _cache.clear()
        _key_locks.clear()


def _loaded_pipeline(*, source: str, pipeline: str, device: str | None, dtype: str) -> _LoadedPipeline:
    global _load_count
    torch = _import_torch()
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    if dtype == "auto":
        dtype = "bfloat16" if device.startswith("cuda") else "float32"
    key = (source, pipeline, device, dtype)
    with _cache_lock:
        loaded = _cache.get(key)
        if loaded is not None:
            return loaded
        key_lock = _key_locks.setdefault(key, threading.Lock())
    # Loading takes seconds to minutes: hold only this key's lock, so other models load
    # in parallel and a second job for this one waits and then reuses it.
    with key_lock:
        with _cache_lock:
            loaded = _cache.get(key)
        if loaded is None:
            loaded = _LoadedPipeline(
                pipe=_load(source=source, pipeline=pipeline, device=device, dtype=getattr(torch, dtype)),
                device=device,
                run_lock=threading.Lock(),
            )
            with _cache_lock:
                _cache[key] = loaded
                _load_count += 1
        return loaded


def _load(*, source: str, pipeline: str, device: str, dtype: Any) -> Any:
    import diffusers

    family = PIPELINES[pipeline]
    folder = _resolve_source(source)
    _check_family(folder, source=source, pipeline=pipeline)
    pipeline_class = getattr(diffusers, family.class_name)
    try:
        pipe = pipeline_class.from_pretrained(folder, dtype=dtype, local_files_only=True)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PermanentEngineError(f"Could not load model '{source}' as a {family.class_name}: {exc}") from exc
    pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _resolve_source(source: str) -> str:
    """The local folder holding ``source``: the folder itself, or its snapshot in the HF cache."""
    folder = Path(source).expanduser()
    if folder.is_dir():
        return str(folder)
    if not _HUB_ID.match(source):
        raise PermanentEngineError(f"Model folder '{source}' does not exist.")
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return snapshot_download(source, local_files_only=True)
    except (LocalEntryNotFoundError, OSError, ValueError) as exc:
        raise PermanentEngineError(
            f"Model '{source}' is neither a local folder nor in the Hugging Face cache "
            f"({constants.HF_HUB_CACHE}); nothing is downloaded at render time, so fetch it "
            f"beforehand (hf download {source})."
        ) from exc


def _check_family(folder: str, *, source: str, pipeline: str) -> None:
    """Refuse, with the fix, a model saved by another family's pipeline (loading it would
    fail deep inside the pipeline's constructor)."""
    try:
        saved_class = json.loads((Path(folder) / "model_index.json").read_text())["_class_name"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # from_pretrained reports a missing or broken model_index.json
    if saved_class.startswith(PIPELINES[pipeline].class_prefix):
        return
    for name, family in PIPELINES.items():
        if saved_class.startswith(family.class_prefix):
            raise PermanentEngineError(
                f"Model '{source}' is a {saved_class}: set its pipeline to '{name}', not '{pipeline}'."
            )
    raise PermanentEngineError(
        f"Model '{source}' is a {saved_class}; the diffusers engine runs {', '.join(PIPELINES)} models only."
    )


def _import_torch() -> Any:
    try:
        import diffusers  # noqa: F401  (checked here so a missing extra fails before any work)
        import torch
    except ImportError as exc:
        raise PermanentEngineError(MISSING_EXTRA_MESSAGE) from exc
    return torch
