"""Tiny, randomly initialised pipelines (Wan 2.1 T2V and I2V, LTX-Video, CogVideoX I2V)
for testing the diffusers engine offline.

Real checkpoints cannot be downloaded here, so the tests build one that has the real
architecture at toy sizes (a few hundred kilobytes, milliseconds a step on a CPU). Its
frames are noise; what it proves is that loading, stepping, stopping and decoding work.
Build it at test time: a saved folder is tied to the transformers version that wrote it.
Needs the diffusion extra (torch, diffusers, transformers, tokenizers).
"""

from __future__ import annotations

from pathlib import Path

# A max_sequence_length the tiny text encoder handles; pass it to the engine.
TINY_MAX_SEQUENCE_LENGTH = 16

_TEXT_DIM = 32  # the text encoder's d_model, which the transformer's text_dim must match

_WORDS = (
    "a",
    "the",
    "red",
    "blue",
    "fox",
    "cat",
    "dog",
    "over",
    "under",
    "jumps",
    "runs",
    "sunset",
    "city",
    "river",
    "camera",
    "slow",
)


def tiny_wan_pipeline(path: str | Path) -> Path:
    """Save a tiny random ``WanPipeline`` into ``path`` and return the folder."""
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanPipeline, WanTransformer3DModel

    path = Path(path)
    torch.manual_seed(0)
    tokenizer = _tiny_tokenizer()
    text_encoder = _tiny_umt5(tokenizer)
    vae = AutoencoderKLWan(
        base_dim=3,
        z_dim=16,
        dim_mult=[1, 1, 1, 1],
        num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=16,
        out_channels=16,
        text_dim=_TEXT_DIM,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
    )
    scheduler = UniPCMultistepScheduler(
        prediction_type="flow_prediction",
        use_flow_sigmas=True,
        flow_shift=3.0,
    )
    pipeline = WanPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=vae,
        transformer=transformer,
        scheduler=scheduler,
    )
    pipeline.save_pretrained(path)
    return path


def tiny_wan_i2v_pipeline(path: str | Path) -> Path:
    """Save a tiny random ``WanImageToVideoPipeline`` (with its CLIP image encoder) into ``path``."""
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler, WanImageToVideoPipeline, WanTransformer3DModel
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    path = Path(path)
    torch.manual_seed(0)
    tokenizer = _tiny_tokenizer()
    text_encoder = _tiny_umt5(tokenizer)
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    # 16 noise channels + 4 mask channels + 16 image-latent channels; the image
    # embedding is the CLIP encoder's hidden size.
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=36, out_channels=16,
        text_dim=_TEXT_DIM, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32, image_dim=4,
    )
    image_encoder = CLIPVisionModel(CLIPVisionConfig(
        hidden_size=4, projection_dim=4, num_hidden_layers=2, num_attention_heads=2, image_size=32,
        intermediate_size=16, patch_size=1,
    ))
    image_processor = CLIPImageProcessor(crop_size=32, size=32)
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    WanImageToVideoPipeline(
        tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer, scheduler=scheduler,
        image_encoder=image_encoder, image_processor=image_processor,
    ).save_pretrained(path)
    return path


def tiny_ltx_pipeline(path: str | Path) -> Path:
    """Save a tiny random ``LTXPipeline`` (text-to-video; its image-to-video loads it too)."""
    import torch
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXPipeline, LTXVideoTransformer3DModel

    path = Path(path)
    torch.manual_seed(0)
    tokenizer = _tiny_tokenizer()
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
        cross_attention_dim=32, num_layers=1, caption_channels=_TEXT_DIM,
    )
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False), decoder_inject_noise=(False,) * 5,
        upsample_residual=(False,) * 4, upsample_factor=(1,) * 4, timestep_conditioning=False, patch_size=1,
        patch_size_t=1, encoder_causal=True, decoder_causal=False,
    )
    LTXPipeline(
        tokenizer=tokenizer, text_encoder=_tiny_t5(tokenizer), vae=vae, transformer=transformer,
        scheduler=FlowMatchEulerDiscreteScheduler(),
    ).save_pretrained(path)
    return path


# The tiny CogVideoX renders at exactly this latent size (learned positional embeddings).
TINY_COGVIDEOX_SIZE = (64, 48)


def tiny_cogvideox_i2v_pipeline(path: str | Path) -> Path:
    """Save a tiny random ``CogVideoXImageToVideoPipeline`` (49 frames at 64x48) into ``path``."""
    import torch
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDDIMScheduler,
        CogVideoXImageToVideoPipeline,
        CogVideoXTransformer3DModel,
    )

    path = Path(path)
    torch.manual_seed(0)
    tokenizer = _tiny_tokenizer()
    width, height = TINY_COGVIDEOX_SIZE
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=2, attention_head_dim=16, in_channels=8, out_channels=4, time_embed_dim=2,
        text_embed_dim=_TEXT_DIM, num_layers=1, sample_width=width // 8, sample_height=height // 8, sample_frames=49,
        patch_size=2, temporal_compression_ratio=4, max_text_seq_length=TINY_MAX_SEQUENCE_LENGTH,
        use_rotary_positional_embeddings=True, use_learned_positional_embeddings=True,
    )
    vae = AutoencoderKLCogVideoX(
        in_channels=3, out_channels=3, down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4, block_out_channels=(8, 8, 8, 8), latent_channels=4,
        layers_per_block=1, norm_num_groups=2, temporal_compression_ratio=4,
    )
    CogVideoXImageToVideoPipeline(
        tokenizer=tokenizer, text_encoder=_tiny_t5(tokenizer), vae=vae, transformer=transformer,
        scheduler=CogVideoXDDIMScheduler(),
    ).save_pretrained(path)
    return path


def _t5_config(tokenizer) -> dict:
    return dict(
        vocab_size=len(tokenizer), d_model=_TEXT_DIM, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
        relative_attention_num_buckets=8, pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
    )


def _tiny_umt5(tokenizer):
    from transformers import UMT5Config, UMT5EncoderModel

    return UMT5EncoderModel(UMT5Config(**_t5_config(tokenizer)))


def _tiny_t5(tokenizer):
    from transformers import T5Config, T5EncoderModel

    return T5EncoderModel(T5Config(**_t5_config(tokenizer)))


def _tiny_tokenizer():
    """A T5-style tokenizer built in memory (the hub's tiny tokenizers cannot be fetched).

    Unigram pieces behind a Metaspace pre-tokenizer, with ``</s>`` appended to every
    sequence as T5 does.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "</s>", "<unk>"]
    pieces = ["▁"] + [f"▁{word}" for word in _WORDS] + list("abcdefghijklmnopqrstuvwxyz")
    vocab = [(token, 0.0) for token in specials] + [(piece, -float(i + 1)) for i, piece in enumerate(pieces)]

    backend = Tokenizer(models.Unigram(vocab, unk_id=specials.index("<unk>")))
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    backend.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    backend.post_processor = processors.TemplateProcessing(
        single="$A </s>",
        pair="$A </s> $B </s>",
        special_tokens=[("</s>", specials.index("</s>"))],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
    )
