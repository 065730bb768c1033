"""A video engine running a Hugging Face diffusers pipeline (Wan 2.1, LTX-Video, CogVideoX),
text-to-video or image-to-video.

The model is loaded once per process and kept (``pipelines``): loading takes
far longer than a short render, so every later job with the same load options reuses it
(run the worker in-process, e.g. RQ's SimpleWorker, or a forked job loses it).

Models come from a local folder or the local Hugging Face cache only; nothing is ever
downloaded. torch and diffusers are optional (``requirements-diffusion.txt``) and are
imported only when a pipeline is needed, so importing this module never requires them.

Each catalog entry runs its model as the model's authors do: their negative prompt as
the default, Wan's scheduler shift, LTX's decode timestep and noise, CogVideoX's 49
frames (the job's duration is cut from them). While the steps run it hands the control
a cheap preview of the latents when one is due (``preview``).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from jobs.generation.diffusers import pipelines as diffusers_pipelines
from jobs.generation.base import (
    EngineError,
    FrameSink,
    PermanentEngineError,
    RenderControl,
    RenderSpec,
    RenderStopped,
    preview_wanted,
)
from jobs.generation.diffusers.pipelines import (  # noqa: F401  (re-exported for callers and tests)
    DTYPES,
    MISSING_EXTRA_MESSAGE,
    PIPELINES,
    LoadedPipeline,
    LoadOptions,
    PipelineFamily,
    forget_pipelines,
    load_count,
)

logger = logging.getLogger("videogen.jobs")

# Share of the progress bar given to the diffusion steps; writing frames gets the rest.
STEPS_SHARE = 0.9


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
        dtype: str | dict = "auto",
        max_sequence_length: int | None = None,
        negative_prompt: str = "",
        flow_shift: float | None = None,
        decode_timestep: float | None = None,
        decode_noise_scale: float | None = None,
        num_frames: int | None = None,
        cpu_offload: bool = False,
        vae_tiling: bool = False,
    ) -> None:
        """``source`` is a model folder or a hub id already in the local Hugging Face cache.
        ``native_width`` x ``native_height`` is the size the model generates at (snapped to
        the family's rules); frames are then resized to each job's size. ``device`` None
        picks cuda when available, else cpu. ``dtype`` is "auto" (bfloat16 on cuda,
        float32 elsewhere), a dtype name, or per component ({"default": "bfloat16",
        "vae": "float32"}). ``max_sequence_length`` caps the prompt's tokens when set.
        ``negative_prompt`` is the default when a job sends none. ``flow_shift`` replaces
        the scheduler's shift. ``decode_timestep`` / ``decode_noise_scale`` go to LTX
        models whose VAE is timestep-conditioned. ``num_frames`` fixes how many frames
        the model renders (the job's are cut from them). ``cpu_offload`` keeps each model
        on the GPU only while it runs; ``vae_tiling`` decodes in tiles."""
        if pipeline not in PIPELINES:
            raise PermanentEngineError(
                f"Unknown diffusers pipeline '{pipeline}': expected one of {', '.join(PIPELINES)}."
            )
        diffusers_pipelines.check_dtype_option(dtype)
        if steps < 1:
            raise PermanentEngineError(f"steps must be at least 1, not {steps}.")
        self.source = source
        self.pipeline = pipeline
        self.family = PIPELINES[pipeline]
        if num_frames is not None and self.family.frames_for(num_frames) != num_frames:
            raise PermanentEngineError(f"num_frames {num_frames} is not a frame count the '{pipeline}' pipeline takes.")
        self.steps = steps
        self.guidance_scale = guidance_scale
        self.width = self.family.side_for(native_width)
        self.height = self.family.side_for(native_height)
        self.device = device
        self.dtype = dtype
        self.max_sequence_length = max_sequence_length
        self.negative_prompt = negative_prompt
        self.flow_shift = flow_shift
        self.decode_timestep = decode_timestep
        self.decode_noise_scale = decode_noise_scale
        self.num_frames = num_frames
        self.cpu_offload = cpu_offload
        self.vae_tiling = vae_tiling

    def load_options(self, torch: Any) -> LoadOptions:
        device = self.device or diffusers_pipelines.default_device(torch)
        return LoadOptions(
            source=self.source, pipeline=self.pipeline, device=device,
            dtypes=diffusers_pipelines.resolve_dtypes(self.dtype, device), flow_shift=self.flow_shift,
            cpu_offload=self.cpu_offload, vae_tiling=self.vae_tiling,
        )

    def render(self, spec: RenderSpec, sink: FrameSink, control: RenderControl) -> None:
        if control.should_stop():
            raise RenderStopped()
        if self.family.takes_image and spec.image is None:
            raise PermanentEngineError("This model makes a video from an image: send one (imageId).")
        if spec.image is not None and not self.family.takes_image:
            raise PermanentEngineError("This model makes videos from text only; it does not take an image.")
        if self.num_frames is not None and spec.frame_count > self.num_frames:
            raise PermanentEngineError(
                f"the model renders {self.num_frames} frames; {spec.frame_count} were asked for"
            )
        torch = diffusers_pipelines.import_torch()
        loaded = diffusers_pipelines.loaded_pipeline(self.load_options(torch))
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

    def call_arguments(self, loaded: LoadedPipeline, spec: RenderSpec) -> dict[str, Any]:
        """What the pipeline is called with, less the generator and the step callback."""
        kwargs: dict[str, Any] = {
            "prompt": spec.prompt,
            "width": self.width,
            "height": self.height,
            "num_frames": self.num_frames or self.family.frames_for(spec.frame_count),
            "num_inference_steps": spec.params.get("steps") or self.steps,
            "guidance_scale": spec.params.get("guidanceScale", self.guidance_scale),
            "output_type": "np",
        }
        negative = spec.params.get("negativePrompt", self.negative_prompt)
        if negative:
            kwargs["negative_prompt"] = negative
        if self.family.takes_image:
            kwargs["image"] = self._start_image(spec.image)
        if self.family.kind == "ltx":
            kwargs["frame_rate"] = spec.fps  # LTX conditions its motion on the playback rate
            if getattr(loaded.pipe.vae.config, "timestep_conditioning", False):
                if self.decode_timestep is not None:
                    kwargs["decode_timestep"] = self.decode_timestep
                if self.decode_noise_scale is not None:
                    kwargs["decode_noise_scale"] = self.decode_noise_scale
        if self.max_sequence_length is not None:
            kwargs["max_sequence_length"] = self.max_sequence_length
        return kwargs

    def _start_image(self, image: np.ndarray):
        """The start image covering the generation size, centre-cropped (never stretched)."""
        from PIL import Image, ImageOps

        return ImageOps.fit(Image.fromarray(image), (self.width, self.height), method=Image.Resampling.LANCZOS)

    def _generate(self, loaded: LoadedPipeline, spec: RenderSpec, control: RenderControl) -> np.ndarray:
        """Run the diffusion steps; return the frames as (frames, height, width, 3) floats in 0-1."""
        import torch

        kwargs = self.call_arguments(loaded, spec)
        num_frames = kwargs["num_frames"]

        def on_step_end(pipe: Any, step: int, timestep: Any, callback_kwargs: dict) -> dict:
            # Raising here aborts at once (pipe._interrupt would still decode) and leaves
            # the pipeline ready for the next call.
            if control.should_stop():
                raise RenderStopped()
            control.report_progress(STEPS_SHARE * (step + 1) / max(1, pipe.num_timesteps))
            if preview_wanted(control):
                self._preview(loaded, callback_kwargs.get("latents"), num_frames, control)
            return callback_kwargs

        # A CPU generator draws the same noise whatever the device, so a seed means the
        # same video on a laptop and on a GPU host (up to float precision).
        kwargs["generator"] = torch.Generator("cpu").manual_seed(spec.seed)
        kwargs["callback_on_step_end"] = on_step_end
        control.report_progress(0.0)
        try:
            with torch.inference_mode():
                output = loaded.pipe(**kwargs)
        except torch.OutOfMemoryError as exc:
            # Memory held by another process may be free on the next attempt.
            raise EngineError(f"out of memory generating {self.width}x{self.height} on {loaded.device}") from exc
        return output.frames[0]

    def _preview(self, loaded: LoadedPipeline, latents: Any, num_frames: int, control: RenderControl) -> None:
        """Hand the control a preview of the latents; a preview never fails a render."""
        if latents is None:
            return
        try:
            if loaded.previewer is None:
                from jobs.generation.diffusers.preview import LatentPreviewer

                loaded.previewer = LatentPreviewer(loaded.pipe, loaded.family.kind)
            control.report_preview(
                loaded.previewer.rgb(loaded.pipe, latents, num_frames=num_frames, height=self.height, width=self.width)
            )
        except RenderStopped:
            raise
        except Exception:
            logger.warning("could not make a preview from the latents", exc_info=True)

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
