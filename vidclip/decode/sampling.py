"""Which decoded frames are sampled, decided on their real timestamps.

The same :class:`Sampler` serves both backends: PyAV feeds it one frame at
a time as it decodes; decord, which knows every timestamp up front, feeds it
the whole array. Decisions use presentation times, not frame numbers, so a
variable-frame-rate video is sampled evenly in time.
"""

from __future__ import annotations

import math

import numpy as np

from vidclip.decode.types import SamplingSpec

#: Tolerance on time comparisons (s): decord's times are float32, off by up
#: to 0.5 ms two hours in; far below the 4 ms between frames even at 240 fps.
_EPS = 1e-3


class Sampler:
    def __init__(self, spec: SamplingSpec, start_s: float, duration_s: float, frame_count: int):
        self.spec = spec
        self.start_s = start_s
        self.duration_s = max(duration_s, 0.0)
        self.taken = 0
        self._next_target = start_s
        self._targets: list[float] = []
        self._stride = 1
        self.step_s = 0.0
        if spec.strategy == "fps":
            step = 1.0 / spec.fps
            if spec.max_frames and self.duration_s > 0:
                # Widen the spacing so the cap covers the whole video.
                step = max(step, self.duration_s / spec.max_frames)
            self.step_s = step
        elif spec.strategy == "count":
            n = spec.count if not spec.max_frames else min(spec.count, spec.max_frames)
            part = self.duration_s / n if self.duration_s > 0 else 0.0
            self._targets = [start_s + (k + 0.5) * part for k in range(n)]
            self._targets.reverse()  # pop() from the end = earliest first
        elif spec.strategy == "all" and spec.max_frames and frame_count > spec.max_frames:
            self._stride = math.ceil(frame_count / spec.max_frames)

    @property
    def full(self) -> bool:
        return self.spec.max_frames is not None and self.taken >= self.spec.max_frames

    def take(self, time_s: float, index: int, keyframe: bool = True) -> bool:
        """Decide for the next frame in presentation order."""
        if self.full:
            return False
        strategy = self.spec.strategy
        if strategy == "fps":
            chosen = time_s >= self._next_target - _EPS
            if chosen:
                # Skip every target this frame already stands for.
                passed = math.floor((time_s - self._next_target + _EPS) / self.step_s) + 1
                self._next_target += max(passed, 1) * self.step_s
        elif strategy == "count":
            chosen = bool(self._targets) and time_s >= self._targets[-1] - _EPS
            while self._targets and time_s >= self._targets[-1] - _EPS:
                self._targets.pop()
        elif strategy == "all":
            chosen = index % self._stride == 0
        else:  # keyframes
            chosen = keyframe
        if chosen:
            self.taken += 1
        return chosen

    def mask(self, times_s: np.ndarray, first_index: int = 0,
             keyframes: np.ndarray | None = None) -> np.ndarray:
        out = np.zeros(len(times_s), dtype=bool)
        for i, t in enumerate(times_s):
            key = True if keyframes is None else bool(keyframes[i])
            out[i] = self.take(float(t), first_index + i, key)
        return out
