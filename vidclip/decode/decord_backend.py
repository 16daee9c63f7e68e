"""decord backend: sequential decoding with the resize done inside FFmpeg.

On opening, decord reads every packet of the file to build its frame index
(one pass over the file before the first frame), so every timestamp is known
up front and sampling is decided before decoding. Consecutive frames are
read with ``get_batch(range)``, which decodes forward without seeking (as
fast as ``next()`` in our measurements, with one call a chunk). decord 0.6.0
applies the display matrix itself (checked against PyAV on rotated clips)
and returns frames at the size we ask for; we ask for the display aspect, so
non-square pixels come out right.

decord's times are ``(pts - stream start) * time_base`` in float32, sorted
by pts; we add the stream start back to put frames on the stream's own
timeline (see :mod:`vidclip.decode.probe`). decord numbers frames by packet
while it decodes frame by frame, so a packet that yields no picture (a
damaged one, or one before the first key frame) shifts every later frame
against its time. :func:`distrust` refuses a file when the index shows that
risk; a failure part-way is handled by the reader.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from vidclip.decode.probe import StreamFacts
from vidclip.decode.sampling import Sampler
from vidclip.decode.types import FrameBatch

#: Codecs decord's bundled FFmpeg (4.x) decodes reliably at 8 bits; the rest
#: (AV1, which it cannot open, and anything rarer) go to PyAV.
DECORD_CODECS = {"h264", "hevc", "mpeg4", "mpeg2video", "mpeg1video", "vp8", "vp9", "mjpeg",
                 "h263", "msmpeg4v3", "wmv3", "vc1", "theora", "prores", "dnxhd"}


def unsuitable(facts: StreamFacts) -> str | None:
    """Why decord should not be given this stream at all, or None."""
    if facts.codec not in DECORD_CODECS:
        return f"codec {facts.codec} is outside what decord decodes reliably"
    if facts.bit_depth > 8:
        return (f"{facts.bit_depth}-bit video ({facts.pix_fmt}) is decoded by PyAV "
                "to keep its colours")
    return None


def distrust(facts: StreamFacts, times_s: np.ndarray) -> str | None:
    """Why decord's frame index for this file cannot be trusted, or None.

    Each rule is a way decord would hand out frames with the wrong times:
    timestamps missing or repeated (it sorts packets by pts), a first frame
    that is not the first frame that decodes, or a frame count that differs
    from the one the MP4 header states (truncated or padded files).
    """
    n = len(times_s)
    if n == 0:
        return "decord found no frames"
    if not np.all(np.isfinite(times_s)) or times_s[0] < facts.stream_start_s - 1.0:
        return "decord read frames without timestamps"
    if n > 1 and not np.all(np.diff(times_s) > 0):
        return "the stream repeats timestamps, so decord would misplace frames"
    step = 1.0 / facts.avg_fps if facts.avg_fps > 0 else 0.04
    if abs(times_s[0] - facts.start_time_s) > 0.5 * step:
        return (f"decord's first frame ({times_s[0]:.3f} s) is not the first decodable "
                f"frame ({facts.start_time_s:.3f} s)")
    if facts.frame_count_exact and abs(n - facts.frame_count) > 1:
        return f"decord counts {n} frames where the container says {facts.frame_count}"
    return None


class DecordSource:
    """An opened decord reader and its timestamps; raises if decord can't open it."""

    def __init__(self, facts: StreamFacts, size: tuple[int, int]):
        import decord

        self.facts = facts
        self.size = size
        width, height = size
        self.reader = decord.VideoReader(facts.path, width=width, height=height, num_threads=0)
        n = len(self.reader)
        stamps = self.reader.get_frame_timestamp(np.arange(n))[:, 0] if n else np.zeros(0)
        self.times_s = stamps.astype(np.float64) + facts.stream_start_s

    def __len__(self) -> int:
        return len(self.times_s)

    def keyframes(self) -> np.ndarray:
        keys = np.zeros(len(self), dtype=bool)
        keys[np.asarray(self.reader.get_key_indices(), dtype=np.int64)] = True
        return keys

    def close(self) -> None:
        # decord frees its FFmpeg context when the reader is collected.
        self.reader = None


class DecordFailed(Exception):
    """decord broke part-way; ``next_frame`` is the first frame not delivered,
    so the caller can resume there with another backend."""

    def __init__(self, next_frame: int, cause: Exception):
        super().__init__(str(cause))
        self.next_frame = next_frame
        self.cause = cause


def iter_decord(
    source: DecordSource,
    sampler: Sampler,
    chunk_size: int,
    full_rate: bool,
) -> Iterator[FrameBatch]:
    """Yield chunks; raises :class:`DecordFailed` if decord fails part-way."""
    keys = source.keyframes() if sampler.spec.strategy == "keyframes" else None
    mask = sampler.mask(source.times_s, 0, keys)
    n = len(source)
    wanted = np.arange(n, dtype=np.int64) if full_rate else np.flatnonzero(mask)
    next_frame = 0
    for start in range(0, len(wanted), chunk_size):
        idx = wanted[start : start + chunk_size]
        try:
            frames = source.reader.get_batch(idx.tolist()).asnumpy()
            if frames.shape[1:3] != (source.size[1], source.size[0]):
                raise RuntimeError(f"decord returned {frames.shape[2]}x{frames.shape[1]} frames")
        except Exception as exc:  # decord raises its own types, or plain RuntimeError
            raise DecordFailed(next_frame, exc) from exc
        next_frame = int(idx[-1]) + 1
        yield FrameBatch(frames, source.times_s[idx], idx, mask[idx])
