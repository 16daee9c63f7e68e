"""Minimum scene length: fold scenes shorter than ``min_scene_s`` into a neighbour.

The shortest offending scene goes first, each time into the neighbour whose
pictures it resembles more (mean colour, quadrant brightness and contrast,
over the neighbour's frames nearest to it); the first and last scenes can
only join their one neighbour. Folding removes the boundary between the two.
"""

from __future__ import annotations

import numpy as np

from vidclip.segment.boundaries import Boundary
from vidclip.segment.signals import FrameSignals

#: How much of a neighbour (seconds next to the short scene) is compared.
NEAR_S = 2.0


class _SceneColours:
    """Mean colour summary of any frame range, in O(1) from prefix sums."""

    def __init__(self, signals: FrameSignals):
        colour = signals.colour.astype(np.float64)
        self._sums = np.concatenate([np.zeros((1, colour.shape[1])), np.cumsum(colour, axis=0)])

    def mean(self, start: int, end: int) -> np.ndarray:
        return (self._sums[end] - self._sums[start]) / max(1, end - start)


def enforce_min_length(
    boundaries: list[Boundary], signals: FrameSignals, min_scene_s: float, duration_s: float
) -> list[Boundary]:
    kept = sorted(boundaries, key=lambda b: b.pos)
    n = len(signals)
    if not kept or min_scene_s <= 0 or n == 0:
        return kept
    colours = _SceneColours(signals)
    steps = np.diff(signals.time)
    near = max(1, int(round(NEAR_S / float(np.median(steps))))) if len(steps) else 1
    while kept:
        pos = np.array([b.pos for b in kept])
        # The first scene is measured from its first picture, not from the
        # timeline's zero (a stream may start late).
        starts_s = np.concatenate([[signals.time[0]], signals.time[pos]])
        ends_s = np.concatenate([signals.time[pos], [max(duration_s, signals.time[-1])]])
        lengths = ends_s - starts_s
        shortest = int(np.argmin(lengths))
        if lengths[shortest] >= min_scene_s:
            break
        kept.pop(_boundary_to_drop(shortest, pos, n, colours, near, kept))
    return kept


def _boundary_to_drop(
    scene: int, pos: np.ndarray, n: int, colours: _SceneColours, near: int, kept: list[Boundary]
) -> int:
    """Index (in ``kept``) of the boundary that joins ``scene`` to its closer neighbour."""
    last = len(pos)
    if scene == 0:
        return 0
    if scene == last:
        return last - 1
    start, end = int(pos[scene - 1]), int(pos[scene])
    prev_start = int(pos[scene - 2]) if scene >= 2 else 0
    next_end = int(pos[scene + 1]) if scene + 1 < last else n
    own = colours.mean(start, end)
    before = colours.mean(max(prev_start, start - near), start)
    after = colours.mean(end, min(next_end, end + near))
    d_before = float(np.abs(own - before).mean())
    d_after = float(np.abs(own - after).mean())
    if np.isclose(d_before, d_after):
        # Equally alike: drop the weaker boundary.
        return scene - 1 if kept[scene - 1].strength <= kept[scene].strength else scene
    return scene - 1 if d_before < d_after else scene
