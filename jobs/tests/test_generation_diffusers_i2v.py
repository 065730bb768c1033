"""Image-to-video pipelines (Wan 2.1 I2V, LTX-Video I2V, CogVideoX I2V) and the per-model
options, on tiny random pipelines (CPU, offline). Each family renders once per module;
the tests read those renders."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from jobs.generation.diffusers import pipelines as diffusers_pipelines
from jobs.generation.base import NullControl, PermanentEngineError, RenderSpec
from jobs.generation.diffusers.engine import DiffusersEngine
from jobs.tests.diffusion_fixtures import TINY_COGVIDEOX_SIZE, TINY_MAX_SEQUENCE_LENGTH
from jobs.tests.test_generation_diffusers import CollectingSink

NATIVE = {"wan-i2v": (32, 32), "ltx-i2v": (64, 64), "cogvideox-i2v": TINY_COGVIDEOX_SIZE}


def start_image(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (60, 80, 3), dtype=np.uint8)


def spec(**changes) -> RenderSpec:
    values = dict(prompt="a red fox jumps over the river", width=320, height=180, fps=8, duration=1, quality="low",
                  seed=7, image=start_image())
    return RenderSpec(**(values | changes))


class PreviewingControl(NullControl):
    def __init__(self) -> None:
        self.previews: list[np.ndarray] = []

    def preview_due(self) -> bool:
        return True

    def report_preview(self, rgb) -> None:
        self.previews.append(rgb)


def engine(source: str, pipeline: str, **overrides) -> DiffusersEngine:
    width, height = NATIVE.get(pipeline, (32, 32))
    options = dict(source=source, pipeline=pipeline, steps=2, guidance_scale=5.0, native_width=width,
                   native_height=height, device="cpu", max_sequence_length=TINY_MAX_SEQUENCE_LENGTH)
    if pipeline.startswith("cogvideox"):
        options["num_frames"] = 49
    return DiffusersEngine(**(options | overrides))


def render(an_engine: DiffusersEngine, the_spec: RenderSpec | None = None, control=None) -> list[np.ndarray]:
    sink = CollectingSink()
    an_engine.render(the_spec or spec(), sink, control or NullControl())
    return sink.frames


@pytest.fixture(scope="module")
def sources(tiny_wan_i2v, tiny_ltx, tiny_cogvideox_i2v):
    return {"wan-i2v": tiny_wan_i2v, "ltx-i2v": tiny_ltx, "cogvideox-i2v": tiny_cogvideox_i2v}


@pytest.fixture(scope="module")
def renders(sources):
    """Per family: frames from the start image, frames from another image, and the previews."""
    out = {}
    for pipeline, source in sources.items():
        control = PreviewingControl()
        first = render(engine(source, pipeline), control=control)
        other = render(engine(source, pipeline), spec(image=start_image(1)))
        out[pipeline] = SimpleNamespace(frames=first, other_image=other, previews=control.previews)
    return out


@pytest.mark.parametrize("pipeline", list(NATIVE))
def test_each_image_to_video_family_renders_the_jobs_frames_from_the_image(renders, pipeline):
    result = renders[pipeline]

    assert len(result.frames) == 8
    assert all(frame.shape == (180, 320, 3) and frame.dtype == np.uint8 for frame in result.frames)
    # The start image conditions the video: another image, same seed, other frames.
    assert not np.array_equal(result.frames[0], result.other_image[0])


@pytest.mark.parametrize("pipeline", list(NATIVE))
def test_previews_come_from_the_latents_at_each_step(renders, pipeline):
    previews = renders[pipeline].previews

    assert len(previews) == 2  # one per step: this control always wants one
    assert all(p.ndim == 3 and p.shape[2] == 3 and p.dtype == np.uint8 and max(p.shape) <= 480 for p in previews)


def test_the_same_image_and_seed_give_the_same_frames(sources, renders):
    again = render(engine(sources["wan-i2v"], "wan-i2v"))

    assert all(np.array_equal(a, b) for a, b in zip(renders["wan-i2v"].frames, again, strict=True))


def test_cogvideox_renders_its_49_frames_and_the_job_is_cut_from_them(sources):
    an_engine = engine(sources["cogvideox-i2v"], "cogvideox-i2v")
    loaded = SimpleNamespace(pipe=None)

    assert an_engine.call_arguments(loaded, spec(duration=2))["num_frames"] == 49
    with pytest.raises(PermanentEngineError, match="renders 49 frames; 56 were asked for"):
        render(an_engine, spec(duration=7))


def test_an_image_to_video_model_needs_an_image_and_a_text_one_refuses_it(sources, tiny_wan):
    with pytest.raises(PermanentEngineError, match="from an image"):
        render(engine(sources["wan-i2v"], "wan-i2v"), spec(image=None))
    with pytest.raises(PermanentEngineError, match="does not take an image"):
        render(engine(tiny_wan, "wan"))


@pytest.mark.parametrize(
    ("checkpoint", "pipeline", "message"),
    [
        ("wan-i2v", "wan", "is a WanImageToVideoPipeline: set its pipeline to 'wan-i2v', not 'wan'"),
        ("wan", "wan-i2v", "is a WanPipeline: set its pipeline to 'wan', not 'wan-i2v'"),
        ("cogvideox-i2v", "cogvideox", "is a CogVideoXImageToVideoPipeline: set its pipeline to 'cogvideox-i2v'"),
        ("ltx", "wan-i2v", "is a LTXPipeline: set its pipeline to 'ltx', not 'wan-i2v'"),
    ],
)
def test_a_checkpoint_is_matched_to_its_pipeline_by_exact_class(sources, tiny_wan, checkpoint, pipeline, message):
    folder = {"wan": tiny_wan, "ltx": sources["ltx-i2v"]}.get(checkpoint) or sources[checkpoint]

    with pytest.raises(PermanentEngineError, match=message):
        diffusers_pipelines.check_family(folder, source="m", pipeline=pipeline)


def test_ltx_image_to_video_loads_the_text_to_video_checkpoint(sources):
    diffusers_pipelines.check_family(sources["ltx-i2v"], source="m", pipeline="ltx-i2v")  # no error


def test_dtypes_are_set_per_component(sources):
    import torch

    an_engine = engine(sources["wan-i2v"], "wan-i2v",
                       dtype={"default": "bfloat16", "vae": "float32", "image_encoder": "float32"})
    loaded = diffusers_pipelines.loaded_pipeline(an_engine.load_options(torch))

    assert loaded.pipe.transformer.dtype == torch.bfloat16
    assert loaded.pipe.text_encoder.dtype == torch.bfloat16
    assert loaded.pipe.vae.dtype == torch.float32
    assert loaded.pipe.image_encoder.dtype == torch.float32
    assert len(render(an_engine)) == 8


def test_auto_dtype_is_float32_on_a_cpu_and_bfloat16_on_cuda():
    assert dict(diffusers_pipelines.resolve_dtypes("auto", "cpu")) == {"default": "float32"}
    assert dict(diffusers_pipelines.resolve_dtypes({"vae": "float32"}, "cuda:0")) == {
        "default": "bfloat16", "vae": "float32"}
    with pytest.raises(PermanentEngineError, match="Unknown dtype 'float8'"):
        DiffusersEngine(source="x", steps=1, guidance_scale=1, native_width=32, native_height=32,
                        dtype={"vae": "float8"})


def test_the_flow_shift_option_sets_the_scheduler_and_is_part_of_the_cache_key(sources):
    import torch

    before = diffusers_pipelines.load_count()
    shifted = diffusers_pipelines.loaded_pipeline(engine(sources["wan-i2v"], "wan-i2v", flow_shift=5.0)
                                                  .load_options(torch))
    plain = diffusers_pipelines.loaded_pipeline(engine(sources["wan-i2v"], "wan-i2v").load_options(torch))

    assert shifted.pipe.scheduler.config.flow_shift == 5.0
    assert plain.pipe.scheduler.config.flow_shift == 3.0
    assert shifted is not plain
    assert diffusers_pipelines.load_count() >= before + 1


def test_vae_tiling_is_an_option(sources):
    import torch

    tiled = diffusers_pipelines.loaded_pipeline(engine(sources["ltx-i2v"], "ltx-i2v", vae_tiling=True)
                                                .load_options(torch))

    assert tiled.pipe.vae.use_tiling is True


def test_the_models_negative_prompt_is_the_default_and_a_jobs_own_wins(sources):
    an_engine = engine(sources["wan-i2v"], "wan-i2v", negative_prompt="static, blurry")
    loaded = SimpleNamespace(pipe=None)

    assert an_engine.call_arguments(loaded, spec())["negative_prompt"] == "static, blurry"
    assert an_engine.call_arguments(loaded, spec(params={"negativePrompt": "dark"}))["negative_prompt"] == "dark"
    assert "negative_prompt" not in an_engine.call_arguments(loaded, spec(params={"negativePrompt": ""}))
    # It reaches the model: with guidance, another negative prompt changes the frames.
    assert not np.array_equal(render(an_engine)[0], render(an_engine, spec(params={"negativePrompt": "dark"}))[0])


def test_a_jobs_steps_and_guidance_override_the_models(sources):
    args = engine(sources["wan-i2v"], "wan-i2v").call_arguments(SimpleNamespace(pipe=None),
                                                                 spec(params={"steps": 9, "guidanceScale": 1.5}))

    assert (args["num_inference_steps"], args["guidance_scale"]) == (9, 1.5)


def test_ltx_gets_its_decode_timestep_and_noise_only_when_its_vae_is_timestep_conditioned(sources):
    an_engine = engine(sources["ltx-i2v"], "ltx-i2v", decode_timestep=0.03, decode_noise_scale=0.025)

    def vae(conditioned: bool):
        return SimpleNamespace(pipe=SimpleNamespace(vae=SimpleNamespace(config=SimpleNamespace(
            timestep_conditioning=conditioned))))

    conditioned = an_engine.call_arguments(vae(True), spec())
    plain = an_engine.call_arguments(vae(False), spec())

    assert (conditioned["decode_timestep"], conditioned["decode_noise_scale"]) == (0.03, 0.025)
    assert "decode_timestep" not in plain and "decode_noise_scale" not in plain
    assert conditioned["frame_rate"] == 8


def test_every_diffusion_model_in_the_default_catalog_builds_its_engine():
    from jobs.catalog_defaults import default_models

    entries = {model_id: raw for model_id, raw in default_models().items() if raw["engine"] == "diffusers"}
    engines = {model_id: DiffusersEngine(**raw["options"]) for model_id, raw in entries.items()}

    assert {e.pipeline for e in engines.values()} == {"wan", "wan-i2v", "ltx", "ltx-i2v", "cogvideox", "cogvideox-i2v"}
    wan = engines["wan2.1-t2v-1.3b"]
    assert (wan.flow_shift, wan.dtype["vae"], wan.dtype["default"]) == (3.0, "float32", "bfloat16")
    assert wan.negative_prompt.startswith("Bright tones, overexposed")
    assert engines["cogvideox-2b"].dtype == "float16" and engines["cogvideox-2b"].num_frames == 49
    assert engines["wan2.1-i2v-14b-480p"].dtype["image_encoder"] == "float32"


def test_the_latent_preview_map_predicts_colours_it_was_not_fitted_on(tiny_wan):
    """Even a random VAE's latents carry colour linearly enough for the map to beat a
    flat guess on held-out colours (real VAEs do much better)."""
    import torch
    from diffusers import WanPipeline

    from jobs.generation.diffusers.preview import LatentPreviewer

    pipe = WanPipeline.from_pretrained(tiny_wan)
    previewer = LatentPreviewer(pipe, "wan")
    colours = np.random.default_rng(0).uniform(0, 1, (20, 3)).astype(np.float32)
    images = torch.from_numpy(colours * 2 - 1)[:, :, None, None, None].expand(-1, -1, 1, 32, 32)
    with torch.no_grad():
        latents = pipe.vae.encode(images).latent_dist.mode().float().mean(dim=(2, 3, 4)).numpy()
    predicted = np.concatenate([latents, np.ones((20, 1), np.float32)], axis=1) @ previewer.weights

    assert np.abs(predicted - colours).mean() < 0.8 * np.abs(colours - colours.mean(axis=0)).mean()
