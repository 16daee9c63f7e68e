"""Zero-shot tags: calibrated per-frame scores, aggregated per scene and video.

Calibration
-----------
A softmax over the vocabulary (CLIP's zero-shot classifier) spreads one unit
of probability over all labels, so the same frame gets lower scores from a
bigger vocabulary and a threshold of 0.5 means something different for 20
labels than for 800. It also forces one winner, while a video frame holds
many things at once. vidclip instead scores each label as an independent
binary question against a neutral anchor (:mod:`vidclip.calibration` has
the formula): adding labels to a vocabulary never changes the score of an
existing one, and several labels can hold for one frame.

Aggregation
-----------
- frame: ``score`` as above.
- scene: the score that at least half of the scene's sampled frames reach
  (the ceil(n/2)-th best frame score): a tag holds for a scene at a
  threshold exactly when it holds for at least half its frames, and one odd
  frame -- a flash, a misdetection -- cannot carry it. An encoder may ask
  for more agreement (``agreement``: the ceil(agreement * n)-th best).
- video: the best scene score; ``segments`` are the time ranges whose
  frames score at or above the threshold (each frame covering the time up to
  the midpoints with its neighbours, never across a scene boundary); runs at
  most ``merge_gap_s`` apart merge, so a score flickering around the
  threshold gives one segment rather than a string of one-frame pieces.

Grounding
---------
An encoder may say which labels each frame can be tagged with at all
(``allowed``, :meth:`vidclip.encode.base.Encoder.label_mask`); the others
score 0 on that frame, for frames, scenes and the video alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vidclip.calibration import Calibration, sigmoid
from vidclip.schema import FrameTags, LabelScore, Tag
from vidclip.timeline import Timeline


def scene_logits(logits: np.ndarray, timeline: Timeline, agreement: float = 0.5) -> np.ndarray:
    """``(S, L)``: the logit reached by ``agreement`` of each scene's frames (NaN if none)."""
    if not 0.0 < agreement <= 1.0:
        raise ValueError(f"agreement must be in (0, 1], not {agreement}")
    out = np.full((len(timeline.scenes), logits.shape[1]), np.nan, dtype=np.float64)
    for s in range(len(timeline.scenes)):
        rows = timeline.frames_in(s)
        if len(rows) == 0:
            continue
        # ceil(agreement * n); the small slack keeps ceil(0.5 * 4) at 2, not 3.
        k = max(1, int(np.ceil(agreement * len(rows) - 1e-9)))
        out[s] = np.sort(logits[rows], axis=0)[-k]
    return out


@dataclass
class TagResult:
    frame_scores: np.ndarray  # (F, L)
    scene_scores: np.ndarray  # (S, L); NaN rows for scenes without sampled frames
    scene_tags: list[list[LabelScore]]
    video_tags: list[Tag]
    frame_tags: list[FrameTags]


def _top(scores: np.ndarray, labels: tuple[str, ...], threshold: float, k: int) -> list[LabelScore]:
    order = np.argsort(-scores, kind="stable")[:k]
    return [
        LabelScore(label=labels[j], score=round(float(scores[j]), 4))
        for j in order
        if scores[j] >= threshold
    ]


def tag(
    frame_emb: np.ndarray,
    timeline: Timeline,
    labels: tuple[str, ...],
    label_emb: np.ndarray,
    calibration: Calibration,
    *,
    threshold: float = 0.5,
    top_k: int = 10,
    merge_gap_s: float = 0.0,
    with_frames: bool = True,
    allowed: np.ndarray | None = None,
    agreement: float = 0.5,
) -> TagResult:
    logits = calibration.text_logits(frame_emb, label_emb)
    if allowed is not None:
        if allowed.shape != logits.shape:
            raise ValueError(f"allowed has shape {allowed.shape}, the scores {logits.shape}")
        logits[~allowed] = -np.inf  # sigmoid(-inf) = 0: never a tag
    scene_scores = sigmoid(scene_logits(logits, timeline, agreement))
    frame_scores = sigmoid(logits, out=logits)  # the logits are not needed after this
    scene_tags = [
        [] if np.isnan(row).all() else _top(row, labels, threshold, top_k) for row in scene_scores
    ]
    video_scores = (
        np.nanmax(scene_scores, axis=0)
        if len(scene_scores) and not np.isnan(scene_scores).all()
        else np.zeros(len(labels))
    )
    video_tags = []
    for j in np.argsort(-video_scores, kind="stable"):
        if video_scores[j] < threshold:
            break
        video_tags.append(
            Tag(
                label=labels[j],
                score=round(float(video_scores[j]), 4),
                segments=timeline.segments(frame_scores[:, j], threshold, gap_s=merge_gap_s),
            )
        )
    frame_tags = []
    if with_frames:
        frame_tags = [
            FrameTags(
                index=int(timeline.indices[i]),
                time_s=round(float(timeline.times_s[i]), 4),
                tags=_top(frame_scores[i], labels, threshold, top_k),
            )
            for i in range(len(frame_scores))
        ]
    return TagResult(frame_scores, scene_scores, scene_tags, video_tags, frame_tags)
