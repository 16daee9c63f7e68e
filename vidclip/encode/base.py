"""The encoder interface every image/text model implements.

An encoder maps frames and texts into one shared space of L2-normalised
vectors, so tagging, segmentation and moderation work the same whatever
model produced them (open_clip CLIP, the offline ConSE encoder, ...).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext

import numpy as np

from vidclip.schema import ModelInfo


class Encoder(ABC):
    """Image -> vector, text -> vector, one shared space.

    ``input_size`` is the side (pixels) of the square the model looks at; the
    decoder resizes frames so their shorter side equals it, and the encoder
    centre-crops. ``logit_scale`` is the temperature the model was trained
    with (CLIP: ~100); calibration uses it to turn cosine similarities into
    probabilities.
    """

    input_size: int = 224
    logit_scale: float = 100.0
    #: How far (in cosine) above the neutral anchor a label must sit to score
    #: 0.5; see vidclip.tag for the calibration this feeds.
    score_margin: float = 0.0
    #: Frames per encoder call; a setting, not a constant.
    batch_size: int = 32
    #: Share of a scene's sampled frames that must carry a tag for the scene
    #: to carry it (vidclip.tag); an encoder whose frames waver asks for more.
    scene_agreement: float = 0.5
    #: Why this encoder runs instead of the CLIP that ``--model auto`` prefers.
    fallback_reason: str | None = None

    def load(self) -> None:
        """Load the weights; idempotent and thread-safe. Every other method loads
        on first use too; calling this first moves the cost (and any error) to a
        moment of the caller's choosing. The default has nothing to load."""

    @property
    @abstractmethod
    def info(self) -> ModelInfo:
        """Name, pretrained tag, embedding size, device: goes into the result."""

    def describe(self) -> ModelInfo:
        """:attr:`info` plus why it was chosen, as the result records it."""
        info = self.info
        if self.fallback_reason:
            info = info.model_copy(update={"fallback_reason": self.fallback_reason})
        return info

    @property
    def cache_key(self) -> str:
        """Identifies the text tower for the on-disk text-embedding cache."""
        info = self.info
        return f"{info.kind}:{info.name}:{info.pretrained}"

    @abstractmethod
    def encode_images(self, frames: np.ndarray) -> np.ndarray:
        """``(N, H, W, 3)`` uint8 RGB -> ``(N, D)`` float32, L2-normalised."""

    @abstractmethod
    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """``len(texts)`` strings -> ``(len(texts), D)`` float32, L2-normalised."""

    def label_mask(self, frame_emb: np.ndarray, labels: Sequence[str],
                   label_emb: np.ndarray) -> np.ndarray | None:
        """``(F, L)`` bool: which labels each frame may be tagged with; None: every label.

        For an encoder whose similarities measure relatedness rather than
        identity (the offline encoder: see vidclip.encode.offline.grounding).
        Tags only: search and moderation score the vectors as they are.
        """
        return None

    def close(self) -> None:
        """Release device memory; the default does nothing."""

    def sharing_cpu(self, cores: int) -> AbstractContextManager:
        """Inside the block, leave ``cores`` CPU cores to another stage (the decoder).

        A CPU encoder runs on fewer threads there; the default (a GPU, or an
        encoder without threads of its own) does nothing.
        """
        return nullcontext()
