"""vidclip: scenes, zero-shot tags, moderation flags and captions for videos.

    import vidclip
    result = vidclip.analyze("clip.mp4")      # -> vidclip.schema.VideoAnalysis

Importing vidclip is cheap: torch, open_clip and decord load only when a
pipeline is built, so the API process can share the schema without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from vidclip.pipeline import Pipeline
    from vidclip.schema import VideoAnalysis

__all__ = ["analyze", "Pipeline", "AnalysisConfig", "VidclipError", "__version__"]


def analyze(source: Any, config: Any = None, **options: Any) -> "VideoAnalysis":
    """Analyse one video with a pipeline built for this call.

    ``config`` is an :class:`AnalysisConfig` (or a dict of its fields);
    keyword options override it, e.g. ``analyze("a.mp4", tags={"labels": ["dog"]})``.
    For many videos build one :class:`Pipeline` and call it repeatedly, so the
    model loads once.
    """
    from vidclip.config import AnalysisConfig
    from vidclip.pipeline import Pipeline

    if config is None:
        config = AnalysisConfig()
    elif isinstance(config, dict):
        config = AnalysisConfig.model_validate(config)
    if options:
        config = config.with_overrides(options)
    with Pipeline(config) as pipeline:
        return pipeline.analyze(source)


def __getattr__(name: str) -> Any:
    if name == "Pipeline":
        from vidclip.pipeline import Pipeline

        return Pipeline
    if name == "AnalysisConfig":
        from vidclip.config import AnalysisConfig

        return AnalysisConfig
    if name == "VidclipError":
        from vidclip.errors import VidclipError

        return VidclipError
    raise AttributeError(f"module 'vidclip' has no attribute {name!r}")
