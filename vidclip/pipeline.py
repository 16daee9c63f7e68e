"""Pipeline(config)(source) -> VideoAnalysis: the core, free of any distributor.

(Contract stub: the implementation lands with the core issue. The CLI, the
tests and the Celery workers are three distributors over this class.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vidclip.config import AnalysisConfig
from vidclip.schema import VideoAnalysis

#: progress(stage, fraction_of_stage_done) -- stages: decode, encode (together
#: "analyze"), segment, tag, moderate, caption.
ProgressFn = Callable[[str, float], None]
#: Polled between batches; returning True stops the job with CancelledError.
CancelFn = Callable[[], bool]


class Cancelled(Exception):
    """Raised inside the pipeline when ``should_cancel()`` turned true."""


class Pipeline:
    """Loads its models once (``setup``) and analyses any number of videos."""

    def __init__(self, config: AnalysisConfig | None = None, *, encoder=None, captioner=None):
        raise NotImplementedError

    def setup(self) -> None: ...

    def analyze(
        self,
        source: str | Path,
        *,
        progress: ProgressFn | None = None,
        should_cancel: CancelFn | None = None,
        caption: bool = True,
    ) -> VideoAnalysis:
        """Decode, encode, segment, tag, moderate and (unless caption=False) caption."""
        raise NotImplementedError

    def caption(self, analysis: VideoAnalysis, *, progress: ProgressFn | None = None) -> VideoAnalysis:
        """Run (or re-run) only the caption stage over an existing analysis."""
        raise NotImplementedError

    def __call__(self, source: str | Path) -> VideoAnalysis:
        return self.analyze(source)
