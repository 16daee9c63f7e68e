"""Calibrated scores: one formula shared by tags, moderation and search.

Every score vidclip reports answers one binary question: *does this frame
look more like the text than like its rival?* For tags the rival is the
neutral anchor ``a`` (the mean embedding of prompts such as "a photo." and
"a video frame."); for a moderation category it is the anchor or the best
benign look-alike, whichever is closer. For L2-normalised frame embedding
``f`` and text embedding ``t``::

    z = logit_scale * (cos(f, t) - rival(f) - margin)
    score = sigmoid(z)

``logit_scale`` is the temperature the model was trained with (CLIP ~100),
so 0.01 of cosine is one unit of logit, as in CLIP's own softmax;
``margin`` (per encoder) is how far above its rival a text must sit to be
more likely than not. No score depends on the other texts asked about, so a
threshold means the same for any vocabulary size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Overflow-free logistic; ``out=z`` computes it in place (no temporaries)."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


@dataclass(frozen=True)
class Calibration:
    """The anchor and the encoder's temperature and margin."""

    anchor: np.ndarray  # (D,), L2-normalised
    logit_scale: float
    margin: float

    def baseline(self, frame_emb: np.ndarray) -> np.ndarray:
        """``(F,)``: each frame's cosine to the neutral anchor."""
        if len(frame_emb) == 0:
            return np.zeros(0, dtype=np.float32)
        return frame_emb @ self.anchor

    def logits(self, similarity: np.ndarray, rival: np.ndarray) -> np.ndarray:
        """``logit_scale * (similarity - rival - margin)``, computed in place.

        ``similarity`` is ``(F,)`` or ``(F, T)``; ``rival`` is ``(F,)``, one
        value per frame. In place because for a 2-hour video (7,200 frames x
        853 labels) every temporary of that shape is another 25 MB.
        """
        similarity -= rival if similarity.ndim == rival.ndim else rival[:, None]
        similarity -= self.margin
        similarity *= self.logit_scale
        return similarity

    def text_logits(self, frame_emb: np.ndarray, text_emb: np.ndarray) -> np.ndarray:
        """``(F, T)`` logits of "this text rather than a neutral photo" per frame."""
        return self.logits(frame_emb @ text_emb.T, self.baseline(frame_emb))

    def scores(self, frame_emb: np.ndarray, text_emb: np.ndarray) -> np.ndarray:
        """``(F, T)`` calibrated scores in [0, 1]."""
        logits = self.text_logits(frame_emb, text_emb)
        return sigmoid(logits, out=logits)
