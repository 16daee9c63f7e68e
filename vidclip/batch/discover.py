"""Which videos a batch run takes, and where each one's outputs go."""

from __future__ import annotations

from pathlib import Path

from vidclip.errors import VidclipError

VIDEO_SUFFIXES = {
    ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".wmv", ".flv", ".mpg", ".mpeg",
    ".ts", ".mts", ".m2ts", ".3gp", ".ogv", ".mxf", ".vob",
}
#: Audio-only files: analysed for their speech (transcript and captions), the
#: visual parts empty and saying why (vidclip.stages.audio_only).
AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".aac"}


def discover(target: str | Path, audio: bool = True) -> tuple[list[Path], Path | None]:
    """Videos under a directory (recursively, sorted), with the audio-only files
    unless ``audio`` is False (speech off: nothing in them to analyse); or the
    files listed in a text file.

    Returns the paths and the root their output paths are made relative to.
    """
    target = Path(target)
    suffixes = VIDEO_SUFFIXES | AUDIO_SUFFIXES if audio else VIDEO_SUFFIXES
    if target.is_dir():
        found = sorted(
            p for p in target.rglob("*")
            if p.suffix.lower() in suffixes and p.is_file() and not p.name.startswith(".")
        )
        return found, target
    if target.is_file():
        lines = target.read_text(encoding="utf-8").splitlines()
        paths = [Path(line.strip()) for line in lines if line.strip() and not line.startswith("#")]
        return paths, None
    raise VidclipError(f"{target}: no such directory or list file.", code="not_found")


def output_stem(video: Path, root: Path | None, outdir: Path) -> tuple[Path, str]:
    """Where a video's outputs go: (directory, file stem)."""
    if root is not None:
        try:
            rel = video.resolve().relative_to(root.resolve())
            return outdir / rel.parent, rel.stem
        except ValueError:
            pass
    return outdir, video.stem
