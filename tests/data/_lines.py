"""Read the bundled line-based data files the way their README describes."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "vidclip" / "data"


def read_entries(path: Path) -> list[str]:
    """Stripped non-blank lines that are not full-line `#` comments."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            entries.append(stripped)
    return entries
