"""Readers by name; optional ones are imported when asked for, so a missing extra
is a clear message instead of an ImportError at startup."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from vidclip.ocr.base import TextReader


def _rapidocr(options: Mapping) -> TextReader:
    from vidclip.ocr.rapidocr_backend import DET_SIDE, THREADS, RapidOCRReader

    side = int(options.get("det_side") or DET_SIDE)
    if side < 32 or side % 32:
        raise ValueError(f"text.options det_side must be a multiple of 32 (>= 32), got {side}")
    return RapidOCRReader(threads=int(options.get("threads") or THREADS), det_side=side)


def _openai(options: Mapping) -> TextReader:
    from vidclip.ocr.openai_backend import OpenAIReader

    return OpenAIReader.from_options(options)


READERS: dict[str, Callable[[Mapping], TextReader]] = {"rapidocr": _rapidocr, "openai": _openai}


def get_reader(name: str, options: Mapping) -> TextReader:
    if name not in READERS:
        raise ValueError(f"unknown text reader {name!r}; known: auto, off, {', '.join(READERS)}")
    return READERS[name](options)
