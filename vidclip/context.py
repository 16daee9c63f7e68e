"""What the stages read: built once by :meth:`Pipeline.setup`, frozen after.

An :class:`AnalysisContext` holds the heavy, reusable state of the image
side -- the loaded encoder, the vocabulary with its text embeddings, the
calibration, the moderation policy's embeddings -- and the options of the
analysis. A :class:`CaptionContext` holds the caption backend and the
vocabulary's labels (for grounding); a caption-only worker builds it without
ever loading the image model. Stages take a context and a typed input and
return a typed output; nothing in a context changes while videos run, so
one context serves any number of videos (and threads).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidclip.calibration import Calibration
from vidclip.caption.base import Captioner
from vidclip.config import AnalysisConfig
from vidclip.encode.base import Encoder
from vidclip.moderate import PolicyEmbeddings, load_policy, parse_policy
from vidclip.vocabulary import (
    EmbedProgressFn,
    Vocabulary,
    embed_vocabulary,
    load_vocabulary,
    neutral_anchor,
)


@dataclass(frozen=True)
class LabelSpace:
    """The vocabulary and one embedding per label, ``(len(labels), D)``."""

    vocabulary: Vocabulary
    embeddings: np.ndarray

    @property
    def labels(self) -> tuple[str, ...]:
        return self.vocabulary.labels


@dataclass(frozen=True)
class AnalysisContext:
    config: AnalysisConfig
    encoder: Encoder
    labels: LabelSpace
    calibration: Calibration
    #: None when moderation is off.
    policy: PolicyEmbeddings | None


@dataclass(frozen=True)
class CaptionContext:
    config: AnalysisConfig
    captioner: Captioner
    #: Every label of the vocabulary: a caption naming one absent from its scene is rejected.
    vocabulary: Vocabulary


def read_vocabulary(config: AnalysisConfig) -> Vocabulary:
    tags = config.tags
    return load_vocabulary(tags.vocabulary, labels=tags.labels, templates=tags.templates)


def prepare_analysis(config: AnalysisConfig, encoder: Encoder, cache_dir: Path | None,
                     vocabulary: Vocabulary | None = None,
                     progress: EmbedProgressFn | None = None) -> AnalysisContext:
    """Load the encoder and embed the vocabulary, the anchor and the policy (cached on disk).

    ``progress(done, total)`` hears about the vocabulary's prompts being embedded:
    only on a first run (a cache miss), which can take a minute on a CPU.
    """
    vocabulary = vocabulary or read_vocabulary(config)
    # The files are read before the model loads: a bad vocabulary or policy
    # is reported at once, not after a model load.
    policy = _policy(config) if config.moderation.enabled else None
    encoder.load()
    calibration = Calibration(neutral_anchor(encoder, cache_dir), encoder.logit_scale,
                              encoder.score_margin)
    policy_emb = PolicyEmbeddings.build(encoder, policy, cache_dir) if policy else None
    labels = LabelSpace(vocabulary, embed_vocabulary(encoder, vocabulary, cache_dir,
                                                     progress=progress))
    return AnalysisContext(config, encoder, labels, calibration, policy_emb)


def _policy(config: AnalysisConfig):
    options = config.moderation
    if options.document is not None:
        return parse_policy(options.document, options.policy)
    return load_policy(options.policy)


def prepare_captions(config: AnalysisConfig, captioner: Captioner,
                     vocabulary: Vocabulary | None = None) -> CaptionContext:
    """Set the caption backend up (a local model loads here) beside the vocabulary."""
    vocabulary = vocabulary or read_vocabulary(config)
    captioner.setup()
    return CaptionContext(config, captioner, vocabulary)
