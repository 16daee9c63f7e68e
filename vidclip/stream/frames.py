"""Embedded frames with their place in the video."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class EncodedFrames:
    """``embeddings[i]`` is frame ``indices[i]`` at ``times_s[i]``; rows in frame order."""

    embeddings: np.ndarray  # (N, D) float32, L2-normalised
    times_s: np.ndarray  # (N,) float64
    indices: np.ndarray  # (N,) int64

    def __len__(self) -> int:
        return len(self.indices)

    @classmethod
    def concat(cls, parts: list["EncodedFrames"], dim: int) -> "EncodedFrames":
        if not parts:
            return cls(np.zeros((0, dim), np.float32), np.zeros(0, np.float64),
                       np.zeros(0, np.int64))
        return cls(np.concatenate([p.embeddings for p in parts]),
                   np.concatenate([p.times_s for p in parts]).astype(np.float64),
                   np.concatenate([p.indices for p in parts]).astype(np.int64))

    def merged(self, other: "EncodedFrames") -> "EncodedFrames":
        """Both sets of rows, in frame order (``other`` fills gaps between ours)."""
        order = np.argsort(np.concatenate([self.indices, other.indices]), kind="stable")
        return EncodedFrames(np.concatenate([self.embeddings, other.embeddings])[order],
                             np.concatenate([self.times_s, other.times_s])[order],
                             np.concatenate([self.indices, other.indices])[order])
