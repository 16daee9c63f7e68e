"""SceneDetector: watches every decoded frame, returns scenes that tile the video."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vidclip.config import SceneOptions
from vidclip.decode.types import FrameBatch
from vidclip.segment.boundaries import Boundary, Transition, combine
from vidclip.segment.confirm import confirm_with_embeddings
from vidclip.segment.cuts import detect_cuts
from vidclip.segment.fades import detect_fades
from vidclip.segment.gradual import detect_dissolves
from vidclip.segment.merge import enforce_min_length
from vidclip.segment.signals import FrameSignals, SignalTracker


@dataclass(frozen=True)
class SceneSpan:
    """One scene: frames ``[start_frame, end_frame)``, seconds ``[start_s, end_s)``.

    ``transition`` says how the scene begins: ``"start"`` for the first one,
    ``"cut"`` or ``"gradual"`` (dissolve, fade, wipe) for the others.
    ``confidence`` is the strength of that boundary clipped to [0, 1]
    (1 for the first scene).
    """

    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    transition: Transition = "cut"
    confidence: float = 1.0

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def scenes_holding(scenes: list[SceneSpan], frames) -> np.ndarray:
    """For each frame number, the index of the scene (ordered, not overlapping)
    holding it, or -1 for none; by bisection: a long video has thousands."""
    frames = np.asarray(frames, dtype=np.int64)
    starts = np.asarray([s.start_frame for s in scenes], dtype=np.int64)
    ends = np.asarray([s.end_frame for s in scenes], dtype=np.int64)
    at = np.searchsorted(starts, frames, side="right") - 1
    inside = (at >= 0) & (frames < ends[np.clip(at, 0, None)] if len(ends) else False)
    return np.where(inside, at, -1)


class SceneDetector:
    """Streaming shot-boundary detector (a :class:`~vidclip.decode.types.FrameObserver`).

    Call :meth:`observe` with every decoded batch in order, then
    :meth:`finish` once. Only a few numbers per frame are kept, so memory
    stays small for long videos. ``options.cut_threshold`` is the boundary
    strength required (see :mod:`vidclip.segment.cuts`; lower finds more),
    ``options.detect_gradual`` turns dissolve and fade detection on and
    ``options.min_scene_s`` is the shortest scene kept.
    """

    def __init__(self, options: SceneOptions | None = None, fps_hint: float | None = None):
        self.options = options or SceneOptions()
        self._tracker = SignalTracker(fps_hint=fps_hint)
        self._finished = False
        #: Boundaries behind the last :meth:`finish` (for inspection and tests).
        self.boundaries: list[Boundary] = []
        self.signals: FrameSignals | None = None

    @property
    def frames_seen(self) -> int:
        return self._tracker.frames_seen

    def observe(self, batch: FrameBatch) -> None:
        if self._finished:
            raise RuntimeError("SceneDetector.observe() called after finish()")
        self._tracker.observe(batch)

    def finish(
        self,
        *,
        total_frames: int,
        duration_s: float,
        sampled_times: np.ndarray | None = None,
        sampled_embeddings: np.ndarray | None = None,
        embeddings_meaningful: bool = False,
    ) -> list[SceneSpan]:
        """Scenes covering ``[0, total_frames)`` and ``[0, duration_s]`` without gaps.

        ``sampled_times``/``sampled_embeddings`` (L2-normalised, ``(M, D)``) are
        used only with ``embeddings_meaningful=True`` (real pretrained weights);
        see :mod:`vidclip.segment.confirm`.
        """
        self._finished = True
        signals = self.signals = self._tracker.signals()
        total_frames = max(int(total_frames), int(signals.index[-1]) + 1 if len(signals) else 0)
        duration_s = max(float(duration_s), 0.0)
        self.boundaries = self._boundaries(
            signals, duration_s, sampled_times, sampled_embeddings, embeddings_meaningful
        )
        return _spans(self.boundaries, signals, total_frames, duration_s)

    def _boundaries(
        self,
        signals: FrameSignals,
        duration_s: float,
        sampled_times: np.ndarray | None,
        sampled_embeddings: np.ndarray | None,
        embeddings_meaningful: bool,
    ) -> list[Boundary]:
        if len(signals) < 2:
            return []
        threshold = self.options.cut_threshold
        found = detect_cuts(signals, threshold)
        if self.options.detect_gradual:
            found = combine(found, detect_fades(signals, self.options.min_scene_s))
            found = sorted(found + detect_dissolves(signals, threshold, found), key=lambda b: b.pos)
        found = [b for b in found if 0 < b.pos < len(signals)]
        if embeddings_meaningful and sampled_times is not None and sampled_embeddings is not None:
            found = confirm_with_embeddings(
                found, signals, sampled_times, sampled_embeddings, threshold
            )
        return enforce_min_length(found, signals, self.options.min_scene_s, duration_s)


def _spans(
    boundaries: list[Boundary], signals: FrameSignals, total_frames: int, duration_s: float
) -> list[SceneSpan]:
    if total_frames <= 0 and duration_s <= 0:
        return []
    starts = [(0, 0.0, "start", 1.0)]
    for b in boundaries:
        frame = int(signals.index[b.pos])
        start_s = min(float(signals.time[b.pos]), duration_s)
        if frame > starts[-1][0] and start_s >= starts[-1][1]:
            starts.append((frame, start_s, b.kind, min(1.0, max(0.0, b.strength))))
    ends = [(f, s) for f, s, _, _ in starts[1:]] + [(total_frames, duration_s)]
    return [
        SceneSpan(f, end_f, s, end_s, kind, conf)  # type: ignore[arg-type]
        for (f, s, kind, conf), (end_f, end_s) in zip(starts, ends)
    ]
