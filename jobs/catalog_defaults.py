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

# The negative prompts the models' authors use in their examples (diffusers' docs and the
# model cards); a job's own negativePrompt replaces them.
WAN_NEGATIVE_PROMPT = (
    "Bright tones, overexposed, static, blurred details, subtitles, style, works, paintings, images, static, "
    "overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, extra fingers, poorly "
    "drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, fused fingers, still picture, messy "
    "background, three legs, many people in the background, walking backwards"
)
LTX_NEGATIVE_PROMPT = "worst quality, inconsistent motion, blurry, jittery, distorted"
# Wan runs its VAE (and the I2V image encoder) in float32 under a bfloat16 transformer.
WAN_DTYPES = {"default": "bfloat16", "vae": "float32", "image_encoder": "float32"}


def _source(model_dir: str, folder: str, hub_id: str) -> str:
    return f"{model_dir.rstrip('/')}/{folder}" if model_dir else hub_id


def _with_params(models: dict[str, dict]) -> dict[str, dict]:
    """Diffusion entries offer their engine options' steps, guidance scale and negative
    prompt as the defaults of the jobs' ``steps``, ``guidanceScale`` and ``negativePrompt``."""
    for entry in models.values():
        options = entry.get("options", {})
        if entry["engine"] == "diffusers":
            entry["params"] = {
                "steps": {"max": 100, "default": options["steps"]},
                "guidanceScale": {"max": 20, "default": options["guidance_scale"]},
                "negativePrompt": {"default": options.get("negative_prompt", "")},
            }
    return models


def default_models(*, model_dir: str = "") -> dict[str, dict]:
    return _with_params({
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
                "dtype": WAN_DTYPES,
                "flow_shift": 3.0,  # 3.0 at 480p, 5.0 at 720p (diffusers' Wan docs)
                "negative_prompt": WAN_NEGATIVE_PROMPT,
            },
        },
        "wan2.1-i2v-14b-480p": {
            "label": "Wan 2.1 I2V 14B 480p",
            "description": "Wan 2.1 image-to-video diffusion model: animates your image (GPU worker).",
            "engine": "diffusers",
            "queue": "gpu",
            "resolutions": ["480p", "720p"],
            "max_duration": 5,
            "fps": 16,
            "options": {
                "source": _source(model_dir, "Wan2.1-I2V-14B-480P-Diffusers", "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers"),
                "pipeline": "wan-i2v",
                "steps": 40,
                "guidance_scale": 5.0,
                "native_width": 832,
                "native_height": 480,
                "dtype": WAN_DTYPES,
                "flow_shift": 3.0,
                "negative_prompt": WAN_NEGATIVE_PROMPT,
                "vae_tiling": True,
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
                "dtype": "bfloat16",
                "negative_prompt": LTX_NEGATIVE_PROMPT,
                # Used only by checkpoints whose VAE is timestep-conditioned (0.9.1 and later).
                "decode_timestep": 0.03,
                "decode_noise_scale": 0.025,
            },
        },
        "ltx-video-i2v": {
            "label": "LTX-Video (image to video)",
            "description": "Lightricks LTX-Video animating your image from its first frame (GPU worker).",
            "engine": "diffusers",
            "queue": "gpu",
            "resolutions": ["480p", "720p"],
            "max_duration": 6,
            "fps": 25,
            "options": {
                "source": _source(model_dir, "LTX-Video", "Lightricks/LTX-Video"),
                "pipeline": "ltx-i2v",
                "steps": 40,
                "guidance_scale": 3.0,
                "native_width": 704,
                "native_height": 512,
                "dtype": "bfloat16",
                "negative_prompt": LTX_NEGATIVE_PROMPT,
                "decode_timestep": 0.03,
                "decode_noise_scale": 0.025,
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
                "dtype": "float16",  # the model card's dtype for the 2B model
                "num_frames": 49,  # what it was trained on; a job's seconds are cut from them
            },
        },
        "cogvideox-5b-i2v": {
            "label": "CogVideoX 5B I2V",
            "description": "THUDM CogVideoX-5b image-to-video diffusion model (GPU worker).",
            "engine": "diffusers",
            "queue": "gpu",
            "resolutions": ["480p", "720p"],
            "max_duration": 6,
            "fps": 8,
            "options": {
                "source": _source(model_dir, "CogVideoX-5b-I2V", "THUDM/CogVideoX-5b-I2V"),
                "pipeline": "cogvideox-i2v",
                "steps": 50,
                "guidance_scale": 6.0,
                "native_width": 720,
                "native_height": 480,
                "dtype": "bfloat16",
                "num_frames": 49,
                "vae_tiling": True,
            },
        },
    })
