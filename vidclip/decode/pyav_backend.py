"""PyAV backend: decodes anything the bundled FFmpeg knows, frame by frame.

It is the fallback for what decord cannot open or decodes wrongly (AV1,
high bit depth, broken streams), and the fast path for key-frame triage:
with ``skip_frame = "NONKEY"`` the decoder never reconstructs the frames in
between. Corrupt packets are skipped and counted instead of ending the run.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from vidclip.decode.probe import StreamFacts
from vidclip.decode.sampling import Sampler
from vidclip.decode.types import FrameBatch
from vidclip.errors import DecodeError, InputError

#: Give up on a stream when this many packets in a row fail to decode.
_MAX_CONSECUTIVE_ERRORS = 200


def upright(frame: np.ndarray, rotation: int) -> np.ndarray:
    """Turn a coded frame ``rotation`` degrees clockwise (np.rot90 turns counter-clockwise)."""
    if rotation == 0:
        return frame
    return np.ascontiguousarray(np.rot90(frame, k=-(rotation // 90)))


def iter_pyav(
    facts: StreamFacts,
    sampler: Sampler,
    size: tuple[int, int],
    chunk_size: int,
    full_rate: bool,
    skip_before: int = 0,
    stats: dict | None = None,
) -> Iterator[FrameBatch]:
    """Yield chunks of consecutive frames (all of them, or only sampled ones).

    ``size`` is the upright output (width, height). Frames with index below
    ``skip_before`` are decoded but not delivered (resuming after another
    backend failed part-way).
    """
    import av

    stats = stats if stats is not None else {}
    stats.setdefault("corrupt_packets", 0)
    width, height = size
    if facts.rotation in (90, 270):
        width, height = height, width  # resize in coded orientation, then rotate
    try:
        container = av.open(facts.path, metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise InputError(f"{facts.path}: cannot be opened ({exc}).", code="unreadable") from exc
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    if sampler.spec.strategy == "keyframes" and not full_rate:
        stream.codec_context.skip_frame = "NONKEY"
    frames, times, indices, sampled = [], [], [], []
    index = 0
    last_time = None
    step = 1.0 / facts.avg_fps if facts.avg_fps else 0.04
    errors_in_a_row = 0
    try:
        for packet in container.demux(stream):
            try:
                decoded = packet.decode()
                errors_in_a_row = 0
            except (av.error.InvalidDataError, av.error.UndefinedError, ValueError):
                stats["corrupt_packets"] += 1
                errors_in_a_row += 1
                if errors_in_a_row > _MAX_CONSECUTIVE_ERRORS:
                    raise DecodeError(f"{facts.path}: the video stream is corrupt beyond repair.")
                continue
            for frame in decoded:
                t = frame.time
                if t is None:
                    t = (last_time + step) if last_time is not None else facts.start_time_s
                last_time = t
                take = sampler.take(t, index, bool(frame.key_frame))
                if index >= skip_before and (full_rate or take):
                    rgb = frame.to_ndarray(format="rgb24", width=width, height=height,
                                           interpolation="BILINEAR")
                    frames.append(upright(rgb, facts.rotation))
                    times.append(t)
                    indices.append(index)
                    sampled.append(take)
                    if len(frames) == chunk_size:
                        yield _batch(frames, times, indices, sampled)
                        frames, times, indices, sampled = [], [], [], []
                index += 1
                if sampler.full and not full_rate:
                    break
            if sampler.full and not full_rate:
                break
    finally:
        container.close()
    if frames:
        yield _batch(frames, times, indices, sampled)
    stats["frames"] = index
    stats["last_time"] = last_time


def _batch(frames, times, indices, sampled) -> FrameBatch:
    return FrameBatch(
        np.stack(frames),
        np.asarray(times, dtype=np.float64),
        np.asarray(indices, dtype=np.int64),
        np.asarray(sampled, dtype=bool),
    )
