"""Moments: the searchable units of a video, one vector each.

A scene's vector is the normalised mean of its sampled frames' embeddings
(the frames are unit vectors, so the mean points where most of them point).
A long scene -- a two-minute take -- blurs into one vector that matches
nothing well, so a scene longer than :data:`LONG_SCENE_S` also gets one
vector per :data:`WINDOW_S` window of it (windows aligned to the scene's
start, the last one shorter). A scene without a sampled frame has no vector
and cannot be found; sampling at the default rate leaves none out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vidclip.schema import VideoAnalysis

#: Scenes longer than this also get per-window vectors.
LONG_SCENE_S = 6.0
#: Length of one window of a long scene.
WINDOW_S = 4.0
SCENE, WINDOW = 0, 1
KINDS = ("scene", "window")


@dataclass(frozen=True)
class Moments:
    """``vectors[i]`` (unit, float32) covers ``start_s[i]..end_s[i]`` of scene ``scene[i]``."""

    vectors: np.ndarray  # (M, D) float32
    kind: np.ndarray  # (M,) uint8: SCENE or WINDOW
    scene: np.ndarray  # (M,) int32
    start_s: np.ndarray  # (M,) float64
    end_s: np.ndarray  # (M,) float64

    def __len__(self) -> int:
        return len(self.kind)

    @classmethod
    def empty(cls, dim: int) -> "Moments":
        return cls(np.zeros((0, dim), np.float32), np.zeros(0, np.uint8), np.zeros(0, np.int32),
                   np.zeros(0), np.zeros(0))


def _unit_mean(rows: np.ndarray) -> np.ndarray:
    mean = rows.mean(axis=0, dtype=np.float64)
    return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)


def _windows(start: float, end: float) -> list[tuple[float, float]]:
    if end - start <= LONG_SCENE_S:
        return []
    edges = np.arange(start, end, WINDOW_S)
    return [(float(a), float(min(a + WINDOW_S, end))) for a in edges if end - a > 1e-6]


def compute_moments(analysis: VideoAnalysis, embeddings: np.ndarray, times_s: np.ndarray,
                    indices: np.ndarray) -> Moments:
    """The moments of one analysed video from its sampled frames' embeddings."""
    embeddings = np.asarray(embeddings, np.float32)
    times_s = np.asarray(times_s, np.float64)
    indices = np.asarray(indices, np.int64)
    starts = np.array([s.start_frame for s in analysis.scenes], np.int64)
    if not len(starts) or not len(indices):
        return Moments.empty(embeddings.shape[1] if embeddings.ndim == 2 else 0)
    scene_of = np.searchsorted(starts, indices, side="right") - 1
    rows: list[tuple[np.ndarray, int, int, float, float]] = []
    for s, scene in enumerate(analysis.scenes):
        mine = np.flatnonzero(scene_of == s)
        if not len(mine):
            continue
        rows.append((_unit_mean(embeddings[mine]), SCENE, s, scene.start_s, scene.end_s))
        for lo, hi in _windows(scene.start_s, scene.end_s):
            inside = mine[(times_s[mine] >= lo) & (times_s[mine] < hi)]
            if len(inside):
                rows.append((_unit_mean(embeddings[inside]), WINDOW, s, lo, hi))
    if not rows:
        return Moments.empty(embeddings.shape[1])
    return Moments(np.stack([r[0] for r in rows]), np.array([r[1] for r in rows], np.uint8),
                   np.array([r[2] for r in rows], np.int32),
                   np.array([r[3] for r in rows], np.float64),
                   np.array([r[4] for r in rows], np.float64))
