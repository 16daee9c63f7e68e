"""Pipeline(config)(source) -> VideoAnalysis: the core, free of any distributor.

The CLI, the batch runner, the tests and the Celery workers are distributors
over this class. Heavy objects (the encoder, text embeddings, the caption
backend) are built once per Pipeline and reused for every video.

Data flow for one video::

    decoder thread:  decode chunk -> cut detector sees every frame -> sampled frames -> queue
    main thread:     queue -> encoder batches -> embeddings (N x D, the only per-video state)
    then:            scenes -> tags -> moderation -> captions -> VideoAnalysis
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidclip import __version__
from vidclip.caption.base import Captioner
from vidclip.config import AnalysisConfig
from vidclip.encode import build_encoder
from vidclip.encode.base import Encoder
from vidclip.schema import VideoAnalysis

log = logging.getLogger(__name__)

#: progress(stage, fraction_of_stage_done): stages are decode, encode, segment,
#: tag, moderate, caption.
ProgressFn = Callable[[str, float], None]
#: Polled between batches; returning True stops the video with Cancelled.
CancelFn = Callable[[], bool]

STAGES = ("decode", "encode", "segment", "tag", "moderate", "caption")


class Cancelled(Exception):
    """Raised inside the pipeline when ``should_cancel()`` turned true."""


@dataclass
class RunOutput:
    """The analysis plus what does not belong in JSON (the raw embeddings)."""

    analysis: VideoAnalysis
    embeddings: np.ndarray
    times_s: np.ndarray
    indices: np.ndarray


class Pipeline:
    """Loads its models once (:meth:`setup`) and analyses any number of videos."""

    def __init__(
        self,
        config: AnalysisConfig | None = None,
        *,
        encoder: Encoder | None = None,
        captioner: Captioner | None = None,
    ):
        self.config = config or AnalysisConfig()
        self.encoder = encoder or build_encoder(self.config.model)
        self._captioner = captioner
        self._vocab = None
        self._label_emb = None
        self._anchor = None
        self._policy_emb = None

    # -- heavy state, built once -------------------------------------------------
    def setup(self) -> "Pipeline":
        """Load the model and embed vocabulary and policy; idempotent."""
        from vidclip import moderate, vocabulary

        if self._label_emb is not None:
            return self
        load = getattr(self.encoder, "load", None)
        if load is not None:
            load()
        self._load_vocabulary()
        self._anchor = vocabulary.neutral_anchor(self.encoder)
        if self.config.moderation.enabled:
            policy = moderate.load_policy(self.config.moderation.policy)
            self._policy_emb = moderate.PolicyEmbeddings.build(self.encoder, policy)
        self._label_emb = vocabulary.embed_vocabulary(self.encoder, self._vocab)
        return self

    def _load_vocabulary(self) -> None:
        from vidclip import vocabulary

        if self._vocab is None:
            tags = self.config.tags
            self._vocab = vocabulary.load_vocabulary(
                tags.vocabulary, labels=tags.labels, templates=tags.templates
            )

    @property
    def captioner(self) -> Captioner:
        if self._captioner is None:
            self._captioner = build_captioner(self.config)
        return self._captioner

    def close(self) -> None:
        if self._captioner is not None:
            self._captioner.close()
        self.encoder.close()

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- one video -----------------------------------------------------------------
    def __call__(self, source: str | Path) -> VideoAnalysis:
        return self.analyze(source)

    def analyze(
        self,
        source: str | Path,
        *,
        progress: ProgressFn | None = None,
        should_cancel: CancelFn | None = None,
        caption: bool = True,
    ) -> VideoAnalysis:
        """Decode, encode, segment, tag, moderate and (unless ``caption=False``) caption."""
        return self.run(source, progress=progress, should_cancel=should_cancel,
                        caption=caption).analysis

    def run(
        self,
        source: str | Path,
        *,
        progress: ProgressFn | None = None,
        should_cancel: CancelFn | None = None,
        caption: bool = True,
    ) -> RunOutput:
        from vidclip.analysis_steps import analyse_embeddings, encode_stream

        started = time.perf_counter()
        report = progress or (lambda stage, fraction: None)
        self.setup()
        stream = encode_stream(self, str(source), report, should_cancel or (lambda: False))
        analysis = analyse_embeddings(self, stream, report)
        if caption:
            analysis = self.caption(analysis, progress=progress)
        analysis.timings.total_s = round(time.perf_counter() - started, 3)
        return RunOutput(analysis, stream.embeddings, stream.times_s, stream.indices)

    def caption(self, analysis: VideoAnalysis, *, progress: ProgressFn | None = None) -> VideoAnalysis:
        """Run (or re-run) only the caption stage over an existing analysis."""
        from vidclip.analysis_steps import apply_captions

        # Captions need the vocabulary's labels (for grounding), never the image
        # model: a caption-only worker does not load it.
        self._load_vocabulary()
        return apply_captions(self, analysis, progress or (lambda stage, fraction: None))

    @property
    def vocabulary(self):
        self.setup()
        return self._vocab


def build_captioner(config: AnalysisConfig) -> Captioner:
    """The configured caption backend (the registry knows the optional ones)."""
    try:
        from vidclip.caption.registry import get_captioner
    except ImportError:  # registry not installed: only the embedded default exists
        get_captioner = None
    if get_captioner is not None:
        return get_captioner(config.captions)
    from vidclip.caption.template import TemplateCaptioner
    from vidclip.errors import ConfigError

    if config.captions.backend != "template":
        raise ConfigError(f"caption backend {config.captions.backend!r} is not available.")
    return TemplateCaptioner()


__all__ = ["Pipeline", "RunOutput", "Cancelled", "ProgressFn", "CancelFn", "STAGES", "__version__"]
