"""Stage 5c, the caption track: the transcript's words laid out as cues by the
timed-text rules (vidclip.cues.segmenter), after words moderation and before
the scene captions. None without a transcript."""

from __future__ import annotations

from vidclip.config import TimedTextOptions
from vidclip.context import AnalysisContext
from vidclip.cues.segmenter import build_caption_track
from vidclip.schema import VideoAnalysis


def lay_out_captions(ctx: AnalysisContext, analysis: VideoAnalysis) -> VideoAnalysis:
    return relay_captions(analysis, ctx.config.timed_text)


def relay_captions(analysis: VideoAnalysis, style: TimedTextOptions | None = None
                   ) -> VideoAnalysis:
    """The caption track rebuilt from ``analysis.transcript`` as it is now (e.g.
    after a person corrected words): the style given, else the one the track was
    laid out with, else the default. Cue edits of the old track do not carry
    over: the cues are new."""
    if style is None:
        old = analysis.caption_track.style if analysis.caption_track else None
        style = TimedTextOptions() if old is None else TimedTextOptions(**{
            f: getattr(old, f) for f in ("max_line", "max_lines", "max_cps", "min_duration_s",
                                         "max_duration_s", "min_gap_frames", "snap_frames")})
    return analysis.model_copy(update={"caption_track": build_caption_track(analysis, style)})
