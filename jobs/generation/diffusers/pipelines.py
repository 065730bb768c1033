"""The diffusers pipelines the engine runs, and the per-process cache of loaded ones.

A catalog entry names a pipeline ("wan", "wan-i2v", "ltx", "ltx-i2v", "cogvideox",
"cogvideox-i2v"); each is one exact diffusers class, with the classes a checkpoint may
have been saved as to load into it (LTX's image-to-video runs on the text-to-video
checkpoint). A checkpoint saved as another class is refused before loading, with the
pipeline it needs: an image-to-video Wan checkpoint is not a text-to-video one.

Loading honours the entry's dtypes per component (Wan's VAE and image encoder in float32
under a bfloat16 transformer), its scheduler shift, model CPU offload and VAE tiling;
all of them are part of the cache key.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobs.generation.base import PermanentEngineError

MISSING_EXTRA_MESSAGE = "the diffusers engine needs the diffusion extra: pip install -r requirements-diffusion.txt"
DTYPES = ("auto", "float32", "bfloat16", "float16")

# "owner/name" or a bare "name", as the Hugging Face hub spells repository ids.
_HUB_ID = re.compile(r"^[\w.-]+(/[\w.-]+)?$")


@dataclass(frozen=True)
class PipelineFamily:
    """One diffusers pipeline class: frame counts are ``frame_step * k + 1`` and both sides
    a multiple of ``side_step``; ``takes_image`` for image-to-video pipelines."""

    class_name: str
    frame_step: int
    side_step: int
    kind: str  # "wan" | "ltx" | "cogvideox": how its latents are laid out
    takes_image: bool = False
    also_loads: tuple[str, ...] = ()  # other saved classes this pipeline loads as they are

    @property
    def loads(self) -> tuple[str, ...]:
        return (self.class_name, *self.also_loads)

    def frames_for(self, wanted: int) -> int:
        """The smallest valid frame count that is at least ``wanted``."""
        k = max(0, -(-(wanted - 1) // self.frame_step))  # ceil((wanted - 1) / frame_step)
        return self.frame_step * k + 1

    def side_for(self, wanted: int) -> int:
        """The nearest valid side length to ``wanted`` (at least one step)."""
        return max(self.side_step, round(wanted / self.side_step) * self.side_step)


PIPELINES: dict[str, PipelineFamily] = {
    "wan": PipelineFamily("WanPipeline", frame_step=4, side_step=16, kind="wan"),
    "wan-i2v": PipelineFamily("WanImageToVideoPipeline", frame_step=4, side_step=16, kind="wan", takes_image=True),
    "ltx": PipelineFamily("LTXPipeline", frame_step=8, side_step=32, kind="ltx"),
    # Conditions the first latent frame on the image, with the text-to-video weights.
    "ltx-i2v": PipelineFamily("LTXImageToVideoPipeline", frame_step=8, side_step=32, kind="ltx", takes_image=True,
                              also_loads=("LTXPipeline",)),
    # VAE x8 spatially then 2x2 patches (the docs' "divisible by 8" is not enough for 1.0
    # or 1.5); 4x temporal compression, hence 4k+1 frames (the default is 49).
    "cogvideox": PipelineFamily("CogVideoXPipeline", frame_step=4, side_step=16, kind="cogvideox"),
    "cogvideox-i2v": PipelineFamily("CogVideoXImageToVideoPipeline", frame_step=4, side_step=16, kind="cogvideox",
                                    takes_image=True),
}


@dataclass(frozen=True)
class LoadOptions:
    """Everything that changes what a loaded pipeline is; the cache key."""

    source: str
    pipeline: str
    device: str
    dtypes: tuple[tuple[str, str], ...]  # (component or "default", dtype name), sorted
    flow_shift: float | None = None
    cpu_offload: bool = False
    vae_tiling: bool = False


def resolve_dtypes(dtype: str | dict, device: str) -> tuple[tuple[str, str], ...]:
    """The per-component dtypes: "auto" is bfloat16 on cuda and float32 elsewhere; a name
    applies to every component; a dict maps components (and "default") to names."""
    spec = dtype if isinstance(dtype, dict) else {"default": dtype}
    resolved = {}
    for component, name in spec.items():
        if name not in DTYPES:
            raise PermanentEngineError(f"Unknown dtype '{name}' for {component}: expected one of {', '.join(DTYPES)}.")
        resolved[str(component)] = ("bfloat16" if device.startswith("cuda") else "float32") if name == "auto" else name
    resolved.setdefault("default", "bfloat16" if device.startswith("cuda") else "float32")
    return tuple(sorted(resolved.items()))


def check_dtype_option(dtype: Any) -> None:
    names = dtype.values() if isinstance(dtype, dict) else [dtype]
    for name in names:
        if name not in DTYPES:
            raise PermanentEngineError(f"Unknown dtype '{name}': expected one of {', '.join(DTYPES)}.")


@dataclass
class LoadedPipeline:
    pipe: Any
    device: str
    family: PipelineFamily
    run_lock: threading.Lock = field(default_factory=threading.Lock)
    previewer: Any = None  # a LatentPreviewer, made on first use


_cache: dict[LoadOptions, LoadedPipeline] = {}
_cache_lock = threading.Lock()
_key_locks: dict[LoadOptions, threading.Lock] = {}
_load_count = 0


def load_count() -> int:
    """How many pipelines this process has loaded from disk (cache misses)."""
    return _load_count


def forget_pipelines() -> None:
    """Drop every cached pipeline (frees their memory once no render holds them)."""
    with _cache_lock:
        _cache.clear()
        _key_locks.clear()


def default_device(torch: Any) -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def loaded_pipeline(options: LoadOptions) -> LoadedPipeline:
    global _load_count
    with _cache_lock:
        loaded = _cache.get(options)
        if loaded is not None:
            return loaded
        key_lock = _key_locks.setdefault(options, threading.Lock())
    # Loading takes seconds to minutes: hold only this key's lock, so other models load
    # in parallel and a second job for this one waits and then reuses it.
    with key_lock:
        with _cache_lock:
            loaded = _cache.get(options)
        if loaded is None:
            loaded = LoadedPipeline(pipe=_load(options), device=options.device, family=PIPELINES[options.pipeline])
            with _cache_lock:
                _cache[options] = loaded
                _load_count += 1
        return loaded


def _load(options: LoadOptions) -> Any:
    import diffusers
    import torch

    family = PIPELINES[options.pipeline]
    folder = _resolve_source(options.source)
    check_family(folder, source=options.source, pipeline=options.pipeline)
    dtypes = {component: getattr(torch, name) for component, name in options.dtypes}
    pipeline_class = getattr(diffusers, family.class_name)
    try:
        pipe = pipeline_class.from_pretrained(folder, dtype=dtypes, local_files_only=True)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PermanentEngineError(f"Could not load model '{options.source}' as a {family.class_name}: {exc}") from exc
    if options.flow_shift is not None:
        if "flow_shift" not in pipe.scheduler.config:
            raise PermanentEngineError(
                f"Model '{options.source}': its scheduler {type(pipe.scheduler).__name__} has no flow_shift."
            )
        pipe.scheduler = type(pipe.scheduler).from_config(pipe.scheduler.config, flow_shift=options.flow_shift)
    if options.vae_tiling:
        pipe.vae.enable_tiling()
    if options.cpu_offload and not options.device.startswith("cpu"):
        # Each model moves to the GPU only while it runs: slower, fits small cards.
        pipe.enable_model_cpu_offload(device=options.device)
    else:
        pipe.to(options.device)
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


def check_family(folder: str, *, source: str, pipeline: str) -> None:
    """Refuse, with the fix, a model saved by a class this pipeline does not load (loading
    it would fail deep inside the pipeline's constructor, or mid-render)."""
    try:
        saved_class = json.loads((Path(folder) / "model_index.json").read_text())["_class_name"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # from_pretrained reports a missing or broken model_index.json
    if saved_class in PIPELINES[pipeline].loads:
        return
    fits = [name for name, family in PIPELINES.items() if family.class_name == saved_class]
    if fits:
        raise PermanentEngineError(
            f"Model '{source}' is a {saved_class}: set its pipeline to '{fits[0]}', not '{pipeline}'."
        )
    raise PermanentEngineError(
        f"Model '{source}' is a {saved_class}; the diffusers engine runs "
        f"{', '.join(f.class_name for f in PIPELINES.values())} models only."
    )


def import_torch() -> Any:
    try:
        import diffusers  # noqa: F401  (checked here so a missing extra fails before any work)
        import torch
    except ImportError as exc:
        raise PermanentEngineError(MISSING_EXTRA_MESSAGE) from exc
    return torch
