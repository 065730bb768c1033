"""The diffusers engine: text- and image-to-video diffusion pipelines (Wan 2.1, LTX-Video, CogVideoX).

``engine`` runs a pipeline and keeps it loaded per process. This module only declares
the engine; torch and diffusers are imported when a job needs them.
"""

from __future__ import annotations

from jobs.generation.base import IMAGE_NONE, IMAGE_REQUIRED, IN_PROCESS, EngineDeclaration, seed_from_prompt
from jobs.generation.diffusers.pipelines import PIPELINES, check_dtype_option

REQUIRED_OPTIONS = ("source", "steps", "guidance_scale", "native_width", "native_height")
KNOWN_OPTIONS = (
    *REQUIRED_OPTIONS, "pipeline", "dtype", "max_sequence_length", "negative_prompt", "flow_shift",
    "decode_timestep", "decode_noise_scale", "num_frames", "cpu_offload", "vae_tiling",
)
PIPELINE_NAMES = tuple(PIPELINES)


def _build(options: dict, device: str | None = None):
    from jobs.generation.diffusers.engine import DiffusersEngine

    return DiffusersEngine(**options, device=device)


def _check_options(options: dict) -> None:
    missing = [name for name in REQUIRED_OPTIONS if name not in options]
    if missing:
        raise ValueError(f"options need {', '.join(missing)}")
    unknown = sorted(set(options) - set(KNOWN_OPTIONS))
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)}; known: {', '.join(KNOWN_OPTIONS)}")
    if options.get("pipeline", "wan") not in PIPELINE_NAMES:
        raise ValueError(f"pipeline must be one of {', '.join(PIPELINE_NAMES)}, not {options['pipeline']!r}")
    for name in ("steps", "native_width", "native_height"):
        value = options[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"options.{name} must be a positive integer, not {value!r}")
    try:
        check_dtype_option(options.get("dtype", "auto"))
    except Exception as exc:
        raise ValueError(str(exc)) from None


def _image_input(options: dict) -> str:
    return IMAGE_REQUIRED if PIPELINES[options.get("pipeline", "wan")].takes_image else IMAGE_NONE


ENGINE = EngineDeclaration(
    name="diffusers",
    build=_build,
    params=("prompt", "resolution", "quality", "duration", "imageId", "negativePrompt", "steps", "guidanceScale"),
    derive_seed=seed_from_prompt,
    queue="gpu",
    worker=IN_PROCESS,
    warm_up=False,
    check_options=_check_options,
    image_input=_image_input,
)
