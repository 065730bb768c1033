"""The diffusers engine: text-to-video diffusion pipelines (Wan 2.1, LTX-Video, CogVideoX).

``engine`` runs a pipeline and keeps it loaded per process. This module only declares
the engine; torch and diffusers are imported when a job needs them.
"""

from __future__ import annotations

from jobs.generation.base import IN_PROCESS, EngineDeclaration, seed_from_prompt

REQUIRED_OPTIONS = ("source", "steps", "guidance_scale", "native_width", "native_height")
KNOWN_OPTIONS = (*REQUIRED_OPTIONS, "pipeline", "dtype", "max_sequence_length")
PIPELINE_NAMES = ("wan", "ltx", "cogvideox")


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


ENGINE = EngineDeclaration(
    name="diffusers",
    build=_build,
    params=("prompt", "resolution", "quality", "duration"),
    derive_seed=seed_from_prompt,
    queue="gpu",
    worker=IN_PROCESS,
    warm_up=False,
    check_options=_check_options,
)
