"""Preview pictures from a diffusion pipeline's in-flight latents, without decoding them.

A linear map from a latent pixel's channels to RGB (plus a bias) approximates the VAE
decoder well enough to see the composition take shape, at the cost of one small matrix
product. The map is not shipped: it is fitted once per loaded pipeline by encoding a
grid of flat colours with the pipeline's own VAE and solving a ridge least-squares
problem, so it fits any checkpoint of these families (tiny random test models included).

Each family keeps its latents differently during the steps (diffusers' decode paths):
Wan ``[B, C, F, h, w]`` normalised by the VAE's mean and std; LTX packed as
``[B, tokens, C]`` and normalised; CogVideoX ``[B, F, C, h, w]`` scaled by the VAE's
scaling factor. ``middle_latent_frame`` undoes each for the middle frame only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jobs.generation.preview_frames import PREVIEW_MAX_SIDE

LEVELS = (0.0, 0.33, 0.67, 1.0)  # per channel: 64 calibration colours
RIDGE = 1e-3


class LatentPreviewer:
    def __init__(self, pipe: Any, kind: str) -> None:
        self.kind = kind
        self.weights = _fit(pipe, kind)  # (channels + 1, 3)

    def rgb(self, pipe: Any, latents: Any, *, num_frames: int, height: int, width: int) -> np.ndarray:
        """The middle latent frame as an (h, w, 3) uint8 picture, upscaled towards the video's size."""
        from PIL import Image

        frame = middle_latent_frame(pipe, self.kind, latents, num_frames=num_frames, height=height, width=width)
        channels, h, w = frame.shape
        pixels = np.concatenate([frame.reshape(channels, -1).T, np.ones((h * w, 1), np.float32)], axis=1)
        rgb = np.clip(pixels @ self.weights, 0.0, 1.0).reshape(h, w, 3)
        image = Image.fromarray((rgb * 255 + 0.5).astype(np.uint8))
        scale = max(1, min(width // max(1, w), PREVIEW_MAX_SIDE // max(h, w)))
        return np.asarray(image.resize((w * scale, h * scale), Image.Resampling.BILINEAR))


def middle_latent_frame(pipe: Any, kind: str, latents: Any, *, num_frames: int, height: int, width: int,
                        ) -> np.ndarray:
    """The first video's middle latent frame as the VAE sees it: float32 ``(C, h, w)``.
    Only that frame is converted and copied off the device."""
    import torch

    with torch.no_grad():
        vae = pipe.vae
        if kind == "wan":  # [B, C, F, h, w], normalised
            x = latents[0, :, latents.shape[2] // 2].float()
            config = vae.config
            mean = torch.tensor(config.latents_mean, dtype=torch.float32, device=x.device).view(-1, 1, 1)
            std = torch.tensor(config.latents_std, dtype=torch.float32, device=x.device).view(-1, 1, 1)
            x = x * std + mean
        elif kind == "ltx":  # [B, tokens, C], packed and normalised
            frames = (num_frames - 1) // pipe.vae_temporal_compression_ratio + 1
            x = pipe._unpack_latents(latents[:1].float(), frames, height // pipe.vae_spatial_compression_ratio,
                                     width // pipe.vae_spatial_compression_ratio,
                                     pipe.transformer_spatial_patch_size, pipe.transformer_temporal_patch_size)
            x = x[:, :, x.shape[2] // 2 : x.shape[2] // 2 + 1]
            x = pipe._denormalize_latents(x, vae.latents_mean.float(), vae.latents_std.float(),
                                          vae.config.scaling_factor)[0, :, 0]
        elif kind == "cogvideox":  # [B, F, C, h, w], scaled
            x = latents[0, latents.shape[1] // 2].float() / vae.config.scaling_factor
        else:
            raise ValueError(f"no latent layout known for '{kind}'")
        return x.cpu().numpy().astype(np.float32)


def _fit(pipe: Any, kind: str) -> np.ndarray:
    """Fit latent channels -> RGB on flat colours encoded by the pipeline's VAE."""
    import torch

    vae = pipe.vae
    colours = np.array([(r, g, b) for r in LEVELS for g in LEVELS for b in LEVELS], np.float32)
    side = 64 if kind == "ltx" else 32  # a few latent pixels per colour at any compression
    images = torch.from_numpy(colours * 2 - 1)[:, :, None, None, None].expand(-1, -1, 1, side, side)
    device = getattr(pipe, "_execution_device", None) or vae.device
    with torch.no_grad():
        encoded = vae.encode(images.to(device=device, dtype=vae.dtype)).latent_dist.mode()
    features = encoded.float().mean(dim=(2, 3, 4)).cpu().numpy()  # (colours, C)
    design = np.concatenate([features, np.ones((len(features), 1), np.float32)], axis=1)
    gram = design.T @ design + RIDGE * np.eye(design.shape[1], dtype=np.float32)
    return np.linalg.solve(gram, design.T @ colours).astype(np.float32)
