"""Write the chosen formats of one analysis into a directory, atomically."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from vidclip.schema import VideoAnalysis

#: The scene captions are ``<stem>.scenes.vtt``, not ``<stem>.vtt``: players (VLC,
#: mpv) load a subtitle file named like the video by themselves, and would show
#: descriptions of the picture to a viewer who needs what is said.
SUFFIXES = {"json": ".json", "vtt": ".scenes.vtt", "srt": ".scenes.srt", "csv": ".tags.csv",
            "npy": ".npy",
            "descriptions": ".descriptions.vtt", "transcript": ".transcript.txt",
            "html": ".transcript.html", "thumbnails": ".thumbnails",
            "moments": ".moments.npz"}
#: The caption track (speech and sounds) is three files: the one format a
#: player loads as captions is the WebVTT one.
CAPTION_SUFFIXES = {"vtt": ".captions.vtt", "srt": ".captions.srt", "ttml": ".captions.ttml"}


def thumbnail_path(outdir: Path, stem: str, scene: int) -> Path:
    """Where scene ``scene``'s JPEG of an analysis written as ``stem`` lives."""
    return outdir / f"{stem}{SUFFIXES['thumbnails']}" / f"{scene}.jpg"


def output_paths(outdir: Path, stem: str, formats: tuple[str, ...]) -> dict[str, Path]:
    """Where each format goes; ``captions`` appears as ``captions.vtt``,
    ``captions.srt`` and ``captions.ttml``."""
    paths = {}
    for fmt in formats:
        if fmt == "captions":
            paths.update({f"captions.{kind}": outdir / f"{stem}{suffix}"
                          for kind, suffix in CAPTION_SUFFIXES.items()})
        else:
            paths[fmt] = outdir / f"{stem}{SUFFIXES[fmt]}"
    return paths


def _write_bytes(path: Path, data: bytes) -> None:
    # Write aside then rename: a crash never leaves a half file that a
    # resumed batch would take for finished work.
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_text(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def write_thumbnails(outdir: Path, stem: str, jpegs: Sequence[bytes]) -> Path:
    """One ``<scene>.jpg`` per scene with a picture, in ``<stem>.thumbnails/``."""
    folder = outdir / f"{stem}{SUFFIXES['thumbnails']}"
    folder.mkdir(parents=True, exist_ok=True)
    for scene, jpeg in enumerate(jpegs):
        if jpeg:
            _write_bytes(thumbnail_path(outdir, stem, scene), jpeg)
    return folder


def write_outputs(
    analysis: VideoAnalysis,
    outdir: Path,
    stem: str,
    formats: tuple[str, ...] = ("json", "vtt", "srt", "csv"),
    embeddings: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    thumbnails: Sequence[bytes] | None = None,
    moments: bytes | None = None,
) -> dict[str, Path]:
    """Returns the paths written. JSON goes last: its presence marks a finished video.

    ``captions`` without a transcript writes nothing (the caller says why:
    :data:`vidclip.output.captions.NO_TRANSCRIPT`).

    ``moments`` is a ``.moments.npz`` file's content (vidclip.index.files).
    """
    from vidclip.output import captions, tables, text_tracks

    outdir.mkdir(parents=True, exist_ok=True)
    paths = output_paths(outdir, stem, formats)
    if "captions" in formats and analysis.caption_track is None:
        # Never an empty caption file a player would take for a silent video.
        for kind in CAPTION_SUFFIXES:
            del paths[f"captions.{kind}"]
    else:
        for kind, writer in (("vtt", captions.to_captions_vtt), ("srt", captions.to_captions_srt),
                             ("ttml", captions.to_captions_ttml)):
            if f"captions.{kind}" in paths:
                _write_text(paths[f"captions.{kind}"], writer(analysis))
    if "vtt" in paths:
        _write_text(paths["vtt"], text_tracks.to_webvtt(analysis))
    if "srt" in paths:
        _write_text(paths["srt"], text_tracks.to_srt(analysis))
    if "descriptions" in paths:
        _write_text(paths["descriptions"], text_tracks.to_descriptions_vtt(analysis))
    if "transcript" in paths:
        _write_text(paths["transcript"], text_tracks.to_transcript_text(analysis))
    if "html" in paths:
        _write_text(paths["html"], text_tracks.to_transcript_html(analysis))
    if "csv" in paths:
        _write_text(paths["csv"], tables.to_csv(analysis))
    if "npy" in paths and embeddings is not None:
        tables.write_embeddings(paths["npy"], *embeddings)
    if "thumbnails" in paths and thumbnails is not None:
        write_thumbnails(outdir, stem, thumbnails)
    if "moments" in paths and moments is not None:  # before the JSON: an index reads both
        _write_bytes(paths["moments"], moments)
    if "json" in paths:
        _write_text(paths["json"], analysis.model_dump_json(indent=2))
    return paths
