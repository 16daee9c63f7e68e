"""Encoders: open_clip CLIP, the offline ConSE encoder, and a tiny test model."""

from __future__ import annotations

from pathlib import Path

from vidclip.config import OFFLINE_MODEL, ModelOptions
from vidclip.encode.auto import ModelChoice, choose_model
from vidclip.encode.base import Encoder


def build_encoder(options: ModelOptions | None = None, *,
                  cache_dir: Path | None = None) -> Encoder:
    """The encoder ``options.name`` asks for; nothing loads until first use.

    ``cache_dir`` is the text-embedding cache, for encoders that embed text
    of their own while loading (the offline encoder's class sentences).
    """
    return build_chosen(choose_model(options or ModelOptions()), cache_dir=cache_dir)


def build_chosen(choice: ModelChoice, *, cache_dir: Path | None = None) -> Encoder:
    """The encoder of a resolved choice (see :func:`vidclip.encode.auto.choose_model`)."""
    encoder: Encoder
    if choice.options.name == OFFLINE_MODEL:
        from vidclip.encode.offline import build_offline_encoder

        encoder = build_offline_encoder(choice.options, cache_dir)
    else:
        from vidclip.encode.clip import ClipEncoder

        encoder = ClipEncoder(choice.options)
    encoder.fallback_reason = choice.fallback_reason
    return encoder


__all__ = ["Encoder", "ModelChoice", "build_chosen", "build_encoder", "choose_model",
           "OFFLINE_MODEL"]
