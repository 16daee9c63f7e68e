"""Where each sampled frame sits on the timeline, and the time segments a
per-frame signal holds in. Shared by tagging and moderation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vidclip.schema import Segment
from vidclip.segment.scenes import SceneSpan


@dataclass
class Timeline:
    """Sampled frames placed in scenes.

    ``scene_of[i]`` is the scene of sampled frame ``i``; ``cover[i]`` the
    ``(start_s, end_s)`` the frame stands for: from the midpoint with its
    previous sampled neighbour to the midpoint with the next, never crossing
    its scene's boundary, so the covers of a scene's frames tile the scene.
    """

    times_s: np.ndarray
    indices: np.ndarray
    scenes: list[SceneSpan]
    scene_of: np.ndarray
    cover: np.ndarray  # (N, 2)

    @classmethod
    def build(cls, times_s: np.ndarray, indices: np.ndarray, scenes: list[SceneSpan]) -> "Timeline":
        times_s = np.asarray(times_s, dtype=np.float64)
        indices = np.asarray(indices, dtype=np.int64)
        starts = np.array([s.start_frame for s in scenes], dtype=np.int64)
        scene_of = np.clip(np.searchsorted(starts, indices, side="right") - 1, 0, len(scenes) - 1)
        cover = np.zeros((len(times_s), 2), dtype=np.float64)
        for i in range(len(times_s)):
            scene = scenes[scene_of[i]]
            same_prev = i > 0 and scene_of[i - 1] == scene_of[i]
            same_next = i + 1 < len(times_s) and scene_of[i + 1] == scene_of[i]
            cover[i, 0] = (times_s[i - 1] + times_s[i]) / 2 if same_prev else scene.start_s
            cover[i, 1] = (times_s[i] + times_s[i + 1]) / 2 if same_next else scene.end_s
        return cls(times_s, indices, scenes, scene_of.astype(np.int64), cover)

    def frames_in(self, scene_index: int) -> np.ndarray:
        return np.flatnonzero(self.scene_of == scene_index)

    def segments(self, scores: np.ndarray, threshold: float, min_duration_s: float = 0.0,
                 gap_s: float = 0.0) -> list[Segment]:
        """Merge the covers of frames scoring >= threshold into segments.

        Neighbouring covers that touch (or are at most ``gap_s`` apart) merge;
        each segment carries its peak score; segments shorter than
        ``min_duration_s`` are dropped.
        """
        # Plain tuples first, one Segment per kept run: a long video tagged
        # with a large vocabulary can make hundreds of thousands of them.
        runs: list[list[float]] = []  # [start, end, peak]
        for i in np.flatnonzero(scores >= threshold):
            lo, hi = float(self.cover[i, 0]), float(self.cover[i, 1])
            if runs and lo - runs[-1][1] <= gap_s + 1e-6:
                run = runs[-1]
                run[1], run[2] = max(run[1], hi), max(run[2], float(scores[i]))
            else:
                runs.append([lo, hi, float(scores[i])])
        return [
            Segment(start_s=round(float(lo), 3), end_s=round(float(hi), 3), score=round(p, 4))
            for lo, hi, p in runs
            if hi - lo >= min_duration_s - 1e-6
        ]
