"""Hand-made word timings for the caption segmenter's tests."""

from __future__ import annotations

import itertools

from tests.results import heard_and_read
from vidclip.schema import Scene, Transcript, TranscriptSegment, VideoAnalysis, Word

FPS = 25.0


def spoken(text: str, start: float, rate_wps: float = 3.0, speaker: str | None = None,
           gap: float = 0.0) -> TranscriptSegment:
    """``text`` said from ``start`` at ``rate_wps`` words a second (``gap`` s of
    silence after each word, inside its slot)."""
    step = 1.0 / rate_wps
    words = [Word(start_s=round(start + i * step, 3), end_s=round(start + (i + 1) * step - gap, 3),
                  text=w) for i, w in enumerate(text.split())]
    return TranscriptSegment(start_s=words[0].start_s, end_s=words[-1].end_s, text=text,
                             speaker=speaker, words=words)


def analysis_with(segments: list[TranscriptSegment], cuts: tuple[float, ...] = (),
                  duration_s: float = 60.0, sounds=()) -> VideoAnalysis:
    """An analysis of ``duration_s`` with shot changes at ``cuts`` and this transcript."""
    analysis = heard_and_read(duration_s=max(duration_s, 9.0), fps=FPS, speech=False, text=False)
    edges = [0.0, *cuts, analysis.video.duration_s]
    analysis.scenes = [Scene(index=i, start_s=a, end_s=b, start_frame=round(a * FPS),
                             end_frame=round(b * FPS), transition="start" if i == 0 else "cut")
                       for i, (a, b) in enumerate(itertools.pairwise(edges))]
    analysis.transcript = Transcript(language="en", backend="pocketsphinx", segments=segments,
                                     sounds=list(sounds))
    return analysis


LONG_TEXT = ("The harbour master said that the boats would come back before the storm, "
             "and everyone on the quay waited in the rain for the first of the lights. "
             "Nobody spoke for a long time, because the wind was too loud to hear anything "
             "at all, until a small fishing boat came round the point with its lamps lit.")
