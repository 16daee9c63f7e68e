"""CSV of tags with their time segments, and the frame-embedding file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from vidclip.schema import VideoAnalysis

CSV_COLUMNS = ("level", "scene", "label", "score", "start_s", "end_s")


def to_csv(analysis: VideoAnalysis) -> str:
    """One row per (tag, segment) for the video, and per (scene, tag).

    ``level`` is ``video`` (a time segment where the tag holds) or ``scene``
    (the tag's score over one whole scene), so a spreadsheet filter on one
    column gives either view.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for tag in analysis.tags:
        for seg in tag.segments:
            writer.writerow(["video", "", tag.label, seg.score, seg.start_s, seg.end_s])
    for scene in analysis.scenes:
        for t in scene.tags:
            writer.writerow(["scene", scene.index, t.label, t.score, scene.start_s, scene.end_s])
    return buf.getvalue()


def write_embeddings(path: Path, embeddings: np.ndarray, times_s: np.ndarray,
                     indices: np.ndarray) -> None:
    """``path`` (.npy, float32 N x D) plus ``<stem>.frames.npy`` with (time_s, frame)."""
    np.save(path, embeddings.astype(np.float32))
    frames = np.stack([np.asarray(times_s, np.float64), np.asarray(indices, np.float64)], axis=1)
    np.save(path.with_name(path.name.replace(".npy", "") + ".frames.npy"), frames)
