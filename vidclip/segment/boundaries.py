"""Candidate scene boundaries and how candidates from the detectors combine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Transition = Literal["start", "cut", "gradual"]


@dataclass
class Boundary:
    """A scene starts at observed frame ``pos`` (a position in the signals).

    ``strength`` is the detector's margin over its threshold scale (a boundary
    is kept when ``strength >= cut_threshold``; 1 and above is a clear one).
    ``span`` is the range of frames the transition covers, end exclusive;
    ``magnitude`` is how different the pictures on both sides are (0..1).
    """

    pos: int
    kind: Transition
    strength: float
    span: tuple[int, int]
    source: Literal["cut", "dissolve", "fade", "embedding"] = "cut"
    magnitude: float = 0.0
    #: For fades: frames where a hard cut would mark the same boundary (the
    #: first black frame, the first frame after the black).
    edges: tuple[int, ...] = ()

    def covers(self, pos: int, margin: int = 0) -> bool:
        return self.span[0] - margin <= pos < self.span[1] + margin

    def overlaps(self, other: "Boundary", margin: int = 0) -> bool:
        return self.span[0] - margin < other.span[1] and other.span[0] < self.span[1] + margin


def combine(cuts: list[Boundary], fades: list[Boundary]) -> list[Boundary]:
    """Merge hard cuts and fades through black into one sorted boundary list.

    Hard cuts are frame-accurate, so where a fade's black edge coincides with
    an abrupt cut the cut's frame wins. A fade through black is one boundary:
    other cut-detector hits inside its ramps are dropped.
    """
    kept = list(cuts)
    for fade in fades:
        edge_cuts = [
            c for c in kept if c.kind == "cut" and any(abs(c.pos - e) <= 1 for e in fade.edges)
        ]
        if edge_cuts:
            best = max(edge_cuts, key=lambda c: c.strength)
            kept = [c for c in kept if c is best or not fade.covers(c.pos)]
            # The cut stands for the whole fade from now on.
            best.span = (min(best.span[0], fade.span[0]), max(best.span[1], fade.span[1]))
            continue
        kept = [c for c in kept if not fade.covers(c.pos)]
        kept.append(fade)
    return sorted(kept, key=lambda b: b.pos)

