"""Encoders: open_clip CLIP, the offline ConSE encoder, and a tiny test model."""

from __future__ import annotations

from pathlib import Path

from vidclip.config import ModelOptions
from vidclip.encode.base import Encoder

OFFLINE_MODEL = "offline"


def build_encoder(options: ModelOptions | None = None, *,
                  cache_dir: Path | None = None) -> Encoder:
    """The encoder ``options.name`` asks for; nothing loads until first use.

    ``cache_dir`` is the text-embedding cache, for encoders that embed text
    of their own while loading (the offline encoder's class sentences).
    """
    options = options or ModelOptions()
    if options.name == OFFLINE_MODEL:
        from vidclip.encode.offline import build_offline_encoder

        return build_offline_encoder(options, cache_dir)
    from vidclip.encode.clip import ClipEncoder

    return ClipEncoder(options)


__all__ = ["Encoder", "build_encoder", "OFFLINE_MODEL"]
