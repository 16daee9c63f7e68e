"""PyAV backend: decodes anything the bundled FFmpeg knows, frame by frame.

It is the fallback for what decord cannot open or decodes wrongly (AV1,
high bit depth, broken streams), and the fast path for key-frame triage:
with ``skip_frame = "NONKEY"`` the decoder never reconstructs the frames in
between. Corrupt packets are skipped and counted instead of ending the run.

Frames are converted with one shared reformatter (its scaler is set up once,
not per frame) using area averaging, the right filter for shrinking and in
our measurements faster than swscale's default bilinear.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Generator

import numpy as np

from vidclip.decode.probe import StreamFacts, damaged_packet_errors
from vidclip.decode.sampling import Sampler
from vidclip.decode.types import FrameBatch, PassReport
from vidclip.errors import DecodeError, InputError

#: Give up on a stream when this many packets in a row fail to decode.
_MAX_CONSECUTIVE_ERRORS = 200


def upright(frame: np.ndarray, rotation: int) -> np.ndarray:
    """Turn a coded frame ``rotation`` degrees clockwise (np.rot90 turns counter-clockwise)."""
    if rotation == 0:
        return frame
    return np.ascontiguousarray(np.rot90(frame, k=-(rotation // 90)))


class Converter:
    """Decoded frame -> upright RGB uint8 of the output size."""

    def __init__(self, size: tuple[int, int], rotation: int):
        from av.video.reformatter import VideoReformatter

        self.width, self.height = size
        if rotation in (90, 270):
            self.width, self.height = self.height, self.width  # resize coded, then rotate
        self.rotation = rotation
        self._reformatter = VideoReformatter()

    def __call__(self, frame) -> np.ndarray:
        rgb = self._reformatter.reformat(frame, width=self.width, height=self.height,
                                         format="rgb24", interpolation="AREA").to_ndarray()
        return upright(rgb, self.rotation)


class PacketCounter:
    """Frame numbers when the decoder skips frames (key frames only).

    A decoded frame's number is how many packets of the stream carry an
    earlier timestamp. The decoder hands a frame out many packets after its
    own (threads, reordering), so every timestamp read so far is kept, sorted
    (8 bytes a frame: 2 MB for two hours at 30 fps). Exact for closed GOPs; an
    open GOP's leading B-frames, stored after their key frame, may be missed
    if the frame comes out first (off by a few frames, never in time).
    """

    def __init__(self):
        self._pts = array("q")

    def add(self, packet) -> None:
        if packet.size and packet.pts is not None:
            if not self._pts or packet.pts >= self._pts[-1]:
                self._pts.append(packet.pts)
            else:
                self._pts.insert(bisect_left(self._pts, packet.pts), packet.pts)

    def number(self, frame) -> int | None:
        return None if frame.pts is None else bisect_left(self._pts, frame.pts)


def iter_pyav(
    facts: StreamFacts,
    sampler: Sampler,
    size: tuple[int, int],
    chunk_size: int,
    full_rate: bool,
    skip_before: int = 0,
    preview: tuple[int, int] | None = None,
    threads: int = 0,
    looks: tuple[Sampler, tuple[int, int]] | None = None,
) -> Generator[FrameBatch, None, PassReport]:
    """Yield chunks of consecutive frames (all of them, or only sampled ones).

    ``size`` is the upright output (width, height). With ``preview`` (a
    smaller upright size) and ``full_rate``, every frame comes at the preview
    size and the sampled ones also at ``size`` (``FrameBatch.sampled_frames``):
    one decode, two conversions, the big one only where needed. ``threads``
    is the decoder's thread count (0: FFmpeg's choice). ``looks`` (with
    previews only) is a second sampler and its upright size: the frames it
    takes also come at that size (``FrameBatch.look_frames``), for a stage
    that wants more pixels than the model at a lower rate. Frames with index below
    ``skip_before`` are decoded but not delivered (resuming after another
    backend failed part-way). Returns (as the generator's value, once the
    pass is over) what it learnt: see :class:`PassReport`.
    """
    import av

    report = PassReport()
    convert = Converter(size, facts.rotation)
    small = Converter(preview, facts.rotation) if preview and full_rate else None
    looker, look = (looks[0], Converter(looks[1], facts.rotation)) if looks and small else (
        None, None)
    try:
        container = av.open(facts.path, metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise InputError(f"{facts.path}: cannot be opened ({exc}).", code="unreadable") from exc
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    if threads:
        stream.codec_context.thread_count = threads
    if small is not None:
        # No deblocking on frames that no other frame refers to, so nothing
        # spreads: ~12% less decoding on H.264, and a sampled frame that is
        # one differs by ~0.002 levels on average at the model's size.
        stream.codec_context.options = {"skip_loop_filter": "noref"}
    counter = None
    if sampler.spec.strategy == "keyframes" and not full_rate:
        stream.codec_context.skip_frame = "NONKEY"
        counter = PacketCounter()
    frames, times, indices, sampled = [], [], [], []
    big: list = []  # with previews: the sampled frames at full size
    looked: list[bool] = []
    seen: list = []  # the looked-at frames at the look size
    all_times: list[float] = []
    count = index = 0
    last_time = None
    step = 1.0 / facts.avg_fps if facts.avg_fps else 0.04
    errors_in_a_row = 0
    damaged = damaged_packet_errors()
    complete = False
    try:
        for packet in container.demux(stream):
            if counter is not None:
                counter.add(packet)
            try:
                decoded = packet.decode()
                errors_in_a_row = 0
            except damaged as exc:
                report.corrupt_packets += 1
                errors_in_a_row += 1
                if errors_in_a_row > _MAX_CONSECUTIVE_ERRORS:
                    raise DecodeError(
                        f"{facts.path}: the video stream is corrupt beyond repair.") from exc
                continue
            for frame in decoded:
                t = frame.time
                if t is None:  # no timestamp: assume the nominal spacing
                    t = (last_time + step) if last_time is not None else facts.start_time_s
                last_time = t
                all_times.append(t)
                if counter is not None:
                    index = max(index, counter.number(frame) or 0)
                take = sampler.take(t, index, bool(frame.key_frame))
                if index >= skip_before and (full_rate or take):
                    if small is None:
                        frames.append(convert(frame))
                    else:
                        frames.append(small(frame))
                        if take:
                            big.append(convert(frame))
                        if looker is not None and look is not None:
                            looked.append(looker.take(t, index))
                            if looked[-1]:
                                seen.append(look(frame))
                    times.append(t)
                    indices.append(index)
                    sampled.append(take)
                    if len(frames) == chunk_size:
                        yield _batch(frames, times, indices, sampled,
                                     big if small is not None else None, size,
                                     _looks(looker, looked, seen, looks))
                        frames, times, indices, sampled, big = [], [], [], [], []
                        looked, seen = [], []
                index += 1
                count += 1
            if sampler.full and not full_rate:
                break
        else:  # every frame went through the decoder: the count is the true one
            complete = stream.codec_context.skip_frame == "DEFAULT"
    finally:
        container.close()
    if frames:
        yield _batch(frames, times, indices, sampled, big if small is not None else None, size,
                     _looks(looker, looked, seen, looks))
    report.frames, report.times, report.complete = count, all_times, complete
    return report


def _looks(looker: Sampler | None, looked: list[bool], seen: list, looks):
    """(mask, frames) for a batch, or None when nothing is looked at."""
    if looker is None:
        return None
    width, height = looks[1]
    frames = np.stack(seen) if seen else np.zeros((0, height, width, 3), np.uint8)
    return np.asarray(looked, dtype=bool), frames


def _batch(frames, times, indices, sampled, big=None, size=(0, 0), looks=None) -> FrameBatch:
    if big is not None:
        big = np.stack(big) if big else np.zeros((0, size[1], size[0], 3), np.uint8)
    looked, look_frames = looks if looks is not None else (None, None)
    return FrameBatch(
        np.stack(frames),
        np.asarray(times, dtype=np.float64),
        np.asarray(indices, dtype=np.int64),
        np.asarray(sampled, dtype=bool),
        big,
        looked,
        look_frames,
    )
