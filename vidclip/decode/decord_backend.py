"""decord backend: fast sequential decoding with the resize done in FFmpeg.

decord builds a frame index when it opens a file, so every timestamp is
known up front and sampling is decided before decoding. Consecutive frames
are read with ``get_batch(range)``, which decodes forward without seeking.
decord applies the rotation matrix itself and returns frames at the size we
ask for (we ask for the display aspect, so non-square pixels come out right).

Its timestamps start at zero whatever the stream's start time, so the
stream's start is added back to put frames on the file's own timeline.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from vidclip.decode.probe import StreamFacts
from vidclip.decode.sampling import Sampler
from vidclip.decode.types import FrameBatch

#: Codecs decord's bundled FFmpeg decodes reliably at 8 bits; the rest go to PyAV.
DECORD_CODECS = {"h264", "hevc", "mpeg4", "mpeg2video", "mpeg1video", "vp8", "vp9", "mjpeg",
                 "h263", "msmpeg4v3", "wmv3", "vc1", "theora", "prores", "dnxhd"}


def unsuitable(facts: StreamFacts) -> str | None:
    """Why decord should not be trusted with this stream, or None."""
    if facts.codec not in DECORD_CODECS:
        return f"codec {facts.codec} is outside what decord decodes reliably"
    if facts.bit_depth > 8:
        return f"{facts.bit_depth}-bit video ({facts.pix_fmt}) is decoded by PyAV to keep its colours"
    return None


class DecordSource:
    """An opened decord reader and its timestamps; raises if decord can't open it."""

    def __init__(self, facts: StreamFacts, size: tuple[int, int]):
        import decord

        self.facts = facts
        width, height = size
        self.reader = decord.VideoReader(facts.path, width=width, height=height, num_threads=0)
        n = len(self.reader)
        if n == 0:
            raise RuntimeError("decord found no frames")
        stamps = self.reader.get_frame_timestamp(np.arange(n))[:, 0].astype(np.float64)
        self.times_s = stamps + facts.start_time_s
        first = self.reader[0].asnumpy()
        if first.shape[:2] != (height, width):
            raise RuntimeError(f"decord returned {first.shape[1]}x{first.shape[0]} frames")
        self.reader.seek(0)

    def __len__(self) -> int:
        return len(self.times_s)

    def keyframes(self) -> np.ndarray:
        keys = np.zeros(len(self), dtype=bool)
        keys[np.asarray(self.reader.get_key_indices(), dtype=np.int64)] = True
        return keys

    def close(self) -> None:
        self.reader = None


def iter_decord(
    source: DecordSource,
    sampler: Sampler,
    chunk_size: int,
    full_rate: bool,
    progress: dict,
) -> Iterator[FrameBatch]:
    """Yield chunks; ``progress["next"]`` is the first frame not yet delivered,
    so a caller can resume elsewhere if decord fails part-way."""
    keys = source.keyframes() if sampler.spec.strategy == "keyframes" else None
    mask = sampler.mask(source.times_s, 0, keys)
    n = len(source)
    if full_rate:
        wanted = np.arange(n, dtype=np.int64)
    else:
        wanted = np.flatnonzero(mask)
    for start in range(0, len(wanted), chunk_size):
        idx = wanted[start : start + chunk_size]
        frames = source.reader.get_batch(idx.tolist()).asnumpy()
        progress["next"] = int(idx[-1]) + 1
        yield FrameBatch(frames, source.times_s[idx], idx, mask[idx])
    progress["next"] = n
