"""A tiny, randomly initialised Wan 2.1 pipeline for testing the diffusers engine offline.

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
    from transformers import UMT5Config, UMT5EncoderModel

    path = Path(path)
    torch.manual_seed(0)
    tokenizer = _tiny_tokenizer()
    text_encoder = UMT5EncoderModel(
        UMT5Config(
            vocab_size=len(tokenizer),
            d_model=_TEXT_DIM,
            d_kv=8,
            d_ff=37,
            num_layers=2,
            num_heads=4,
            relative_attention_num_buckets=8,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
            decoder_start_token_id=tokenizer.pad_token_id,
        )
    )
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
