"""A tiny randomly initialised Whisper as a faster-whisper model directory, built
in code (no download), the way the suite's tiny CLIP is: its words are
garbage, but every step vidclip takes with a real one runs.

The tokenizer is byte-level BPE with no merges (the 256 byte symbols) plus
Whisper's special tokens, in Whisper's order: ``<|endoftext|>`` first (text
is what comes before it), ``<|notimestamps|>`` last, so the 1501 timestamp
tokens ``<|0.00|>`` .. ``<|30.00|>`` the converter appends follow it. Fewer
than 51865 tokens make CTranslate2 treat the model as English-only.
"""

from __future__ import annotations

from pathlib import Path

SPECIALS = ["<|endoftext|>", "<|startoftranscript|>", "<|translate|>", "<|transcribe|>",
            "<|startoflm|>", "<|startofprev|>", "<|nocaptions|>", "<|notimestamps|>"]
#: 30 s windows at 20 ms a step, both ends included.
TIMESTAMPS = 1501


def build_tiny_whisper(folder: Path, seed: int = 0) -> Path:
    """Write ``folder/ct2`` (model.bin, vocabulary, tokenizer.json) and return it."""
    import ctranslate2
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import (
        PreTrainedTokenizerFast,
        WhisperConfig,
        WhisperForConditionalGeneration,
    )

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    tokenizer = Tokenizer(models.BPE(vocab={ch: i for i, ch in enumerate(alphabet)}, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens(SPECIALS)
    eot, sot = tokenizer.token_to_id("<|endoftext|>"), tokenizer.token_to_id(
        "<|startoftranscript|>")
    torch.manual_seed(seed)
    config = WhisperConfig(
        vocab_size=tokenizer.get_vocab_size() + TIMESTAMPS, num_mel_bins=80, d_model=64,
        encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=128, decoder_ffn_dim=128,
        max_source_positions=1500, max_target_positions=448, pad_token_id=eot,
        bos_token_id=eot, eos_token_id=eot, decoder_start_token_id=sot,
        suppress_tokens=[], begin_suppress_tokens=[eot])
    hf, ct2 = folder / "hf", folder / "ct2"
    WhisperForConditionalGeneration(config).eval().save_pretrained(hf)
    PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<|endoftext|>",
                            bos_token="<|endoftext|>", unk_token="<|endoftext|>",
                            pad_token="<|endoftext|>").save_pretrained(hf)
    ctranslate2.converters.TransformersConverter(str(hf)).convert(str(ct2), force=True)
    tokenizer.save(str(ct2 / "tokenizer.json"))  # faster-whisper reads it from the model dir
    return ct2
