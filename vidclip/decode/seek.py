"""Read a few frames by number, after the main pass.

Scene segmentation runs at full frame rate, tagging at the sampling rate, so
a short scene can fall between two samples. The pipeline then fetches one
frame from inside each such scene here, so every scene gets tags.
"""

from __future__ import annotations

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
    facts = probe_facts(source)
    size = output_size(facts, short_side)
    if not wanted:
        return FrameBatch(np.zeros((0, size[1], size[0], 3), np.uint8), np.zeros(0),
                          np.zeros(0, np.int64))
    # The main pass's rules, so frame numbers mean the same frames here.
    if backend == "decord" or (backend == "auto" and unsuitable(facts) is None):
        try:
            src = DecordSource(facts, size)
            if distrust(facts, src.times_s) is None:
                idx = [i for i in wanted if i < len(src)]
                frames = src.reader.get_batch(idx).asnumpy()
                return FrameBatch(frames, src.times_s[idx], np.asarray(idx, np.int64))
        except Exception:  # decord can't: decode forward with PyAV instead
            pass
    return _pyav_frames(facts, wanted, size)


def _pyav_frames(facts, wanted: list[int], size: tuple[int, int]) -> FrameBatch:
    import av

    convert = Converter(size, facts.rotation)
    frames, times, found = [], [], []
    targets = set(wanted)
    with av.open(facts.path, metadata_errors="ignore") as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        index = 0
        try:
            for frame in container.decode(stream):
                if index in targets:
                    frames.append(convert(frame))
                    times.append(frame.time if frame.time is not None else 0.0)
                    found.append(index)
                    if len(found) == len(targets):
                        break
                index += 1
        except av.error.FFmpegError:
            pass  # a damaged tail: keep what was found
    if not frames:
        return FrameBatch(np.zeros((0, size[1], size[0], 3), np.uint8), np.zeros(0),
                          np.zeros(0, np.int64))
    return FrameBatch(np.stack(frames), np.asarray(times, np.float64),
                      np.asarray(found, np.int64))
