"""The procedural engine: prompt-driven parallax motion graphics, drawn on the CPU.

``engine`` renders; ``looks`` maps a prompt to a look, ``scenery`` and ``canvas`` paint
the periodic layers, ``overlays`` the particles and the caption. This module only
declares the engine (imports nothing heavy).
"""

from __future__ import annotations

from jobs.generation.base import FORKING, IMAGE_OPTIONAL, EngineDeclaration, seed_from_prompt


def _build(options: dict, device: str | None = None):
    from jobs.generation.procedural.engine import ProceduralEngine

    return ProceduralEngine()


def _check_options(options: dict) -> None:
    if options:
        raise ValueError(f"the procedural engine takes no options (got {', '.join(sorted(options))})")


ENGINE = EngineDeclaration(
    name="procedural",
    build=_build,
    # With an imageId it animates that image (a camera move over it) instead of scenery.
    params=("prompt", "resolution", "quality", "duration", "imageId"),
    derive_seed=seed_from_prompt,
    queue="cpu",
    worker=FORKING,
    warm_up=True,
    check_options=_check_options,
    image_input=lambda options: IMAGE_OPTIONAL,
)
