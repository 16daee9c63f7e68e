"""``text.backend`` -> a reader: ``auto`` is RapidOCR when it loads, else none, with why."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from vidclip.config import TextOptions
from vidclip.ocr.base import TextReader
from vidclip.ocr.registry import get_reader


@dataclass(frozen=True)
class ReaderChoice:
    reader: TextReader | None
    backend: str
    fallback_reason: str | None = None


def choose_reader(options: TextOptions) -> ReaderChoice:
    if options.backend == "off":
        return ReaderChoice(None, "off")
    if options.backend != "auto":
        return ReaderChoice(get_reader(options.backend, options.options), options.backend)
    try:
        reader = get_reader("rapidocr", options.options)
        reader.load()  # type: ignore[attr-defined]
        return ReaderChoice(reader, "rapidocr")
    except Exception as exc:  # auto degrades to no reading, and says why
        reason = f"rapidocr could not load: {type(exc).__name__}: {exc}"
        print(f"vidclip: on-screen text not read ({reason})", file=sys.stderr)
        return ReaderChoice(None, "none", reason)
