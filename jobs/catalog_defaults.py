"""The default model catalog (settings.VIDEOGEN_MODELS), as plain data.

Kept free of Django imports so settings can build it. Diffusion entries point at
``<DIFFUSION_MODEL_DIR>/<folder>`` when DIFFUSION_MODEL_DIR is set, else at the
Hugging Face hub id (resolved from the local HF cache only; nothing is downloaded
at job time).

An entry's parameters (which ones, their ranges) come from its engine's declaration
and ``jobs.parameters``; an entry only narrows them (``resolutions``, ``max_duration``
or ``params``). The queue defaults to the engine's.
"""

from __future__ import annotations

def _source(model_dir: str, folder: str, hub_id: str) -> str:
    return f"{model_dir.rstrip('/')}/{folder}" if model_dir else hub_id


def default_models(*, model_dir: str = "") -> dict[str, dict]:
    return {
        "videogen-procedural-1": {
            "label": "videogen procedural 1",
            "description": "Built-in CPU motion-graphics renderer driven by the prompt (not a neural network).",
            "engine": "procedural",
            "max_duration": 60,
            "fps": 24,
        },
        "wan2.1-t2v-1.3b": {
            "label": "Wan 2.1 T2V 1.3B",
            "description": "Wan 2.1 text-to-video diffusion model (GPU worker).",
            "engine": "diffusers",
            "resolutions": ["480p", "720p"],
            "max_duration": 5,
            "fps": 16,
            "options": {
                "source": _source(model_dir, "Wan2.1-T2V-1.3B-Diffusers", "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"),
                "pipeline": "wan",
                "steps": 30,
                "guidance_scale": 5.0,
                "native_width": 832,
                "native_height": 480,
            },
        },
        "ltx-video": {
            "label": "LTX-Video",
            "description": "Lightricks LTX-Video text-to-video diffusion model (GPU worker).",
            "engine": "diffusers",
            "resolutions": ["480p", "720p"],
            "max_duration": 6,
            "fps": 25,
            "options": {
                "source": _source(model_dir, "LTX-Video", "Lightricks/LTX-Video"),
                "pipeline": "ltx",
                "steps": 40,
                "guidance_scale": 3.0,
                "native_width": 704,
                "native_height": 512,
            },
        },
        "cogvideox-2b": {
            "label": "CogVideoX 2B",
            "description": "THUDM CogVideoX-2b text-to-video diffusion model (GPU worker).",
            "engine": "diffusers",
            "resolutions": ["480p", "720p"],
            "max_duration": 6,
            "fps": 8,
            "options": {
                "source": _source(model_dir, "CogVideoX-2b", "THUDM/CogVideoX-2b"),
                "pipeline": "cogvideox",
                "steps": 50,
                "guidance_scale": 6.0,
                "native_width": 720,
                "native_height": 480,
            },
        },
    }
