"""One search over an index in three modes: by picture (the moment vectors), by words
(the full-text index of what was said and written), or both fused.

``visual``: a query vector against the moment vectors
(:meth:`~vidclip.index.archive.MomentIndex.search`), hits below the query's
calibrated minimum cut. ``text``: the query's words against the transcript
and on-screen text (:meth:`~vidclip.index.archive.MomentIndex.search_words`,
BM25); no model is needed. ``hybrid`` (the default): both lists, fused by
reciprocal rank fusion (Cormack, Clarke and Buettcher, SIGIR 2009)::

    fused(d) = sum over the lists that hold d of 1 / (k + rank(d)),  k = 60

where ``d`` is a scene of a video (both lists hold one hit per scene) and
rank counts from 1. RRF needs no common scale between a calibrated cosine
score and BM25, only ranks; k = 60 is the value its authors found robust
across collections (a small k lets the top of one list dominate; a large one
flattens both). A scene found by words is reported at the words' time range
with their snippet, since that is the moment something was said or written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from vidclip.errors import QueryError
from vidclip.index.archive import Hit, MomentIndex, QueryVector
from vidclip.index.catalog import Filters, VideoRow
from vidclip.index.words import TextHit
from vidclip.index.words_query import WordsQuery

Mode = Literal["visual", "text", "hybrid"]
MODES: tuple[Mode, ...] = ("visual", "text", "hybrid")
#: The rank constant of reciprocal rank fusion.
RRF_K = 60


@dataclass(frozen=True)
class Found:
    """One hit of any mode: where, how it was found, and what to show of it."""

    video: VideoRow
    kind: str  # scene | window (a vector) | speech | text (words)
    source: str  # visual | speech | text
    scene: int
    start_s: float
    end_s: float
    #: visual: the moment's calibrated score (cosine for a picture); words: share of the
    #: query's words the text holds.
    score: float
    tags: list[dict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    snippet: str | None = None
    highlights: tuple[tuple[int, int], ...] = ()
    #: Hybrid only: the reciprocal-rank-fusion score that ordered the hits.
    fused: float | None = None
    #: Hybrid only: every source that found this scene.
    found_by: tuple[str, ...] = ()


def from_visual(hit: Hit) -> Found:
    m = hit.moment
    return Found(m.video, m.kind, "visual", m.scene, m.start_s, m.end_s, hit.score, m.tags,
                 m.flags)


def from_words(hit: TextHit, index: MomentIndex) -> Found:
    tags, flags = index.catalog.scene_metadata(hit.video.key, hit.row.scene)
    return Found(hit.video, hit.row.kind, hit.row.kind, hit.row.scene, hit.row.start_s,
                 hit.row.end_s, hit.score, tags, flags, hit.snippet, hit.highlights)


def fuse(visual: Sequence[Found], words: Sequence[Found], top: int, k: int = RRF_K
         ) -> list[Found]:
    """Reciprocal rank fusion of two ranked lists of one-hit-per-scene hits."""
    fused: dict[tuple[str, int], float] = {}
    shown: dict[tuple[str, int], Found] = {}
    by: dict[tuple[str, int], list[str]] = {}
    for hits in (words, visual):  # words first: their hit is the one shown
        for rank, hit in enumerate(hits, 1):
            place = (hit.video.key, hit.scene)
            fused[place] = fused.get(place, 0.0) + 1.0 / (k + rank)
            shown.setdefault(place, hit)
            by.setdefault(place, []).append(hit.source)
    order = sorted(fused, key=lambda p: (-fused[p], -shown[p].score))
    return [_with(shown[p], round(fused[p], 6), tuple(dict.fromkeys(by[p]))) for p in order[:top]]


def _with(hit: Found, fused: float, found_by: tuple[str, ...]) -> Found:
    return Found(hit.video, hit.kind, hit.source, hit.scene, hit.start_s, hit.end_s, hit.score,
                 hit.tags, hit.flags, hit.snippet, hit.highlights, fused, found_by)


def check_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise QueryError(f"mode {mode!r}: use one of {', '.join(MODES)}.")
    return mode


def search(index: MomentIndex, mode: Mode, *, text: str | None = None,
           vector: QueryVector | None = None, top: int = 10,
           filters: Filters | None = None) -> list[Found]:
    """Hits for ``text`` (words) and/or ``vector`` (picture) as ``mode`` says; a mode that
    needs what was not given searches with what was (an image query is visual)."""
    words = WordsQuery.parse(text) if text is not None and mode != "visual" else None
    if mode == "text" and not words:
        raise QueryError("the query has no words to look for (letters or digits).")
    found_words = [from_words(h, index) for h in index.search_words(words, top, filters)
                   ] if words else []
    found_visual = [from_visual(h) for h in index.search(vector, top, filters)
                    ] if vector is not None and mode != "text" else []
    if mode == "text" or vector is None:
        return found_words
    if mode == "visual" or not words:
        return found_visual
    return fuse(found_visual, found_words, top)
