"""When the offline encoder should say nothing: empty frames and an unsure classifier.

An ImageNet classifier has to name one of its 1000 classes for every frame,
so a black frame comes out as "nematode" and a leaf on a rock as a spread of
newts, snails and lizards; ConSE then turns those into tags ("worm",
"lizard", "crab") with the confidence of the sentence embeddings, not of the
classifier. For a viewer a wrong tag is worse than none, so a frame
*abstains* when either test below fails, and the encoder hands back the
calibration anchor itself as its vector: every label then scores
``sigmoid(scale * (cos(anchor, label) - 1 - margin))``, far below any
threshold, for tags and moderation alike, while the frame keeps its place in
scenes and timelines.

- **Nothing to see** (:func:`detail_fraction`): the share of pixels that
  differ clearly from the frame's median colour. Black, blank and single-
  colour frames have none; a caption or copyright line on a plain background
  a few percent. Real footage, even dark or blurred, has far more.
- **The classifier is unsure** (:func:`certainty`): the length of the
  probability-weighted mean of the top classes' sentence embeddings. A sure
  classifier puts most probability on one class (length near its top
  probability); an unsure one spreads little probability over unrelated
  classes (short); several related classes -- hartebeest, impala and gazelle
  for a deer -- agree in meaning and add up, which top-1 probability or the
  entropy of the top 5 alone would call unsure.

One more answer means nothing, without making the frame abstain: **the
classifier's null answer** (:func:`null_classes`), the classes it names for
an empty frame (black, dark, white: "nematode", "matchstick", "digital
clock"). It gives them, sure of itself, for a grey moon on black
("nematode" at 0.6). Such a frame keeps its vector (a search for "the moon"
still finds it) but gets no tag: the null classes ground no label
(:mod:`.grounding`, :meth:`.conse.ConseEncoder.label_mask`).
"""

from __future__ import annotations

import numpy as np

#: A pixel "differs" from the frame's median colour by more than this (0-255, any channel).
PIXEL_DELTA = 24
#: Frames with less than this share of differing pixels show nothing to classify.
MIN_DETAIL = 0.10
#: Top classes whose meanings are pooled for :func:`certainty`.
CERTAINTY_TOP = 5
#: Grey levels of the empty frames whose top classes are the null answer
#: (mid-grey is left out: the classifier spreads it evenly over 1000 classes).
EMPTY_LEVELS = (0, 32, 255)
#: Top classes of each empty frame taken as the null answer.
NULL_TOP = 3


def detail_fraction(frames: np.ndarray) -> np.ndarray:
    """``(N, H, W, 3)`` uint8 -> ``(N,)`` share of pixels far from the frame's median colour."""
    if len(frames) == 0:
        return np.zeros(0)
    small = np.asarray(frames[:, ::2, ::2], dtype=np.int16)  # every 4th pixel is plenty
    median = np.median(small.reshape(len(small), -1, 3), axis=1)
    far = np.abs(small - median[:, None, None, :]).max(axis=3) > PIXEL_DELTA
    return far.reshape(len(small), -1).mean(axis=1)


def certainty(probs: np.ndarray, class_emb: np.ndarray, top: int = CERTAINTY_TOP) -> np.ndarray:
    """``|sum_i p_i e_i|`` over each row's ``top`` classes: probability that agrees in meaning.

    ``probs`` are the classifier's own probabilities (softmax at temperature
    1), ``class_emb`` the unit sentence embeddings of the classes.
    """
    if len(probs) == 0:
        return np.zeros(0)
    idx = np.argpartition(-probs, top - 1, axis=1)[:, :top]
    p = np.take_along_axis(probs, idx, axis=1)
    mixed = np.einsum("nt,ntd->nd", p, class_emb[idx])
    return np.linalg.norm(mixed, axis=1)


def empty_frames(size: int) -> np.ndarray:
    """``(len(EMPTY_LEVELS), size, size, 3)`` uint8 flat frames."""
    levels = np.asarray(EMPTY_LEVELS, np.uint8)
    return np.broadcast_to(levels[:, None, None, None], (len(levels), size, size, 3)).copy()


def null_classes(probs: np.ndarray, top: int = NULL_TOP) -> np.ndarray:
    """Sorted class indices among the ``top`` of each row of ``probs`` (the empty frames')."""
    if len(probs) == 0:
        return np.zeros(0, np.int64)
    return np.unique(np.argsort(-probs, axis=1)[:, :top])
