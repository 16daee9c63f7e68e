"""Small JPEGs of sampled frames, kept while a video streams, for scenes and moments.

A person looking at a result (the review app, a search hit) needs a picture
of each scene and of each moment. The sampled frames already pass through
the decoder thread at the model's size, so a thumbnail costs a resize and a
JPEG encode there (PIL releases the GIL while it encodes) instead of a
second pass over the file. Which frames a scene will want is known only
once the scenes are, so every sampled frame at least :data:`EVERY_S` apart
is kept, as JPEG bytes: at the default 1 frame/s that is about 4 KB per
second of video (~30 MB for two hours), and it can never grow faster than
``1 / EVERY_S`` pictures per second of video whatever the sampling rate.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import numpy as np

from vidclip.decode.types import FrameBatch

#: Shortest gap between two kept thumbnails, seconds of video.
EVERY_S = 0.5
#: Shorter side of a thumbnail, pixels (a 16:9 frame is 228 x 128).
SIDE = 128
QUALITY = 80


def to_jpeg(frame: np.ndarray, side: int = SIDE, quality: int = QUALITY) -> bytes:
    """One ``(H, W, 3)`` uint8 RGB frame as a JPEG whose shorter side is at most ``side``."""
    from PIL import Image

    if not isinstance(frame, np.ndarray):  # a frame left on the GPU by the decoder
        frame = frame.cpu().numpy()
    image = Image.fromarray(frame)
    scale = side / min(image.size)
    if scale < 1:
        image = image.resize((max(1, round(image.width * scale)),
                              max(1, round(image.height * scale))), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class Thumbnails:
    """Kept thumbnails in time order: ``jpegs[i]`` shows frame ``indices[i]`` at ``times_s[i]``."""

    times_s: np.ndarray
    indices: np.ndarray
    jpegs: tuple[bytes, ...]

    def __len__(self) -> int:
        return len(self.jpegs)

    def nearest(self, time_s: float, start_s: float, end_s: float) -> bytes | None:
        """The kept thumbnail nearest ``time_s`` within ``[start_s, end_s)``, if any."""
        inside = np.flatnonzero((self.times_s >= start_s - 1e-6) & (self.times_s < end_s - 1e-6))
        if not len(inside):
            return None
        best = inside[np.argmin(np.abs(self.times_s[inside] - time_s))]
        return self.jpegs[int(best)]


class ThumbnailKeeper:
    """Offered every batch of sampled frames, in order (from the decoder thread)."""

    def __init__(self, every_s: float = EVERY_S, side: int = SIDE):
        self.every_s = every_s
        self.side = side
        self._lock = threading.Lock()
        self._times: list[float] = []
        self._indices: list[int] = []
        self._jpegs: list[bytes] = []

    def offer(self, batch: FrameBatch) -> None:
        for i in range(len(batch)):
            t = float(batch.times_s[i])
            if self._times and t - self._times[-1] < self.every_s - 1e-6:
                continue
            jpeg = to_jpeg(batch.frames[i], self.side)
            with self._lock:
                self._times.append(t)
                self._indices.append(int(batch.indices[i]))
                self._jpegs.append(jpeg)

    def result(self) -> Thumbnails:
        with self._lock:
            return Thumbnails(np.asarray(self._times, np.float64),
                              np.asarray(self._indices, np.int64), tuple(self._jpegs))
