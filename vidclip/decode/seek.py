"""Read a few frames by number, after the main pass.

Scene segmentation runs at full frame rate, tagging at the sampling rate, so
a short scene can fall between two samples. The pipeline then fetches one
frame from inside each such scene here, so every scene gets tags.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from vidclip.decode.decord_backend import DecordSource, distrust, unsuitable
from vidclip.decode.probe import output_size, probe_facts
from vidclip.decode.pyav_backend import Converter
from vidclip.decode.types import FrameBatch


def read_frames(source: str | Path, indices: list[int], short_side: int = 224,
                backend: str = "auto") -> FrameBatch:
    """Frames ``indices`` (presentation order, 0-based), sized as the main pass."""
    wanted = sorted(set(int(i) for i in indices))
    batches = list(iter_frames(source, wanted, short_side, backend, chunk=max(1, len(wanted))))
    if not batches:
        size = output_size(probe_facts(source), short_side)
        return _empty(size)
    return batches[0]


def iter_frames(source: str | Path, indices: list[int], short_side: int = 224,
                backend: str = "auto", chunk: int = 32,
                exact: bool = True) -> Iterator[FrameBatch]:
    """:func:`read_frames` a ``chunk`` of frames at a time, in one pass over the video.

    Memory stays bounded on a long video, and PyAV decodes the video once, not
    once per chunk from the start (a chunk per call costs a pass per chunk:
    quadratic on a long video).

    ``exact=False`` lets PyAV skip decoding the frames no other frame refers
    to (``skip_frame=NONREF``, about half of an x264 stream) while the next
    wanted frame is more than ``SKIP_MARGIN`` frames away, on a constant frame
    rate stream where a frame's number follows from its time. A wanted frame
    skipped all the same (frame threads decode a few ahead) is replaced by the
    next one decoded, whose own number and time are returned. For callers that
    need a moment, not that very frame: the text stage's looks.
    """
    wanted = sorted(set(int(i) for i in indices))
    if not wanted:
        return
    facts = probe_facts(source)
    size = output_size(facts, short_side)
    # The main pass's rules, so frame numbers mean the same frames here.
    if backend == "decord" or (backend == "auto" and unsuitable(facts) is None):
        src = _decord(facts, size)
        if src is not None:
            idx = [i for i in wanted if i < len(src)]
            for at in range(0, len(idx), chunk):
                part = idx[at:at + chunk]
                try:
                    frames = src.reader.get_batch(part).asnumpy()
                except Exception:  # decord can't: PyAV decodes the rest forward
                    yield from _pyav_chunks(facts, idx[at:], size, chunk)
                    return
                yield FrameBatch(frames, src.times_s[part], np.asarray(part, np.int64))
            return
    yield from _pyav_chunks(facts, wanted, size, chunk,
                            skip=not exact and not facts.variable_frame_rate and facts.avg_fps > 0)


def _decord(facts, size: tuple[int, int]) -> DecordSource | None:
    try:
        src = DecordSource(facts, size)
    except Exception:  # decord can't: decode forward with PyAV instead
        return None
    return src if distrust(facts, src.times_s) is None else None


def _empty(size: tuple[int, int]) -> FrameBatch:
    return FrameBatch(np.zeros((0, size[1], size[0], 3), np.uint8), np.zeros(0),
                      np.zeros(0, np.int64))


#: Frames before a wanted one from which every frame is decoded again (``exact=False``).
SKIP_MARGIN = 16


def _pyav_chunks(facts, wanted: list[int], size: tuple[int, int], chunk: int,
                 skip: bool = False) -> Iterator[FrameBatch]:
    import av

    convert = Converter(size, facts.rotation)
    frames: list[np.ndarray] = []
    times: list[float] = []
    found: list[int] = []
    at = 0  # the next wanted frame is wanted[at]
    with av.open(facts.path, metadata_errors="ignore") as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        numbers = _numbering(facts.avg_fps) if skip else None
        try:
            for count, frame in enumerate(container.decode(stream)):
                index = numbers(frame, count) if numbers else count
                if numbers:
                    near = wanted[at] - index <= SKIP_MARGIN
                    stream.codec_context.skip_frame = "DEFAULT" if near else "NONREF"
                if index < wanted[at]:
                    continue
                frames.append(convert(frame))
                times.append(frame.time if frame.time is not None else 0.0)
                found.append(index)
                while at < len(wanted) and wanted[at] <= index:
                    at += 1  # this frame stands for every wanted one up to it
                if len(found) == chunk:
                    yield _batch(frames, times, found)
                    frames, times, found = [], [], []
                if at == len(wanted):
                    break
        except av.error.FFmpegError:
            pass  # a damaged tail: keep what was found
    if found:
        yield _batch(frames, times, found)


def _numbering(fps: float):
    """frame -> its number from its time (constant frame rate), the first frame 0;
    the decode count where a frame has no time."""
    first: list[float] = []

    def number(frame, count: int) -> int:
        if frame.time is None:
            return count
        if not first:
            first.append(frame.time)
        return int(round((frame.time - first[0]) * fps))
    return number


def _batch(frames: list[np.ndarray], times: list[float], found: list[int]) -> FrameBatch:
    return FrameBatch(np.stack(frames), np.asarray(times, np.float64),
                      np.asarray(found, np.int64))
