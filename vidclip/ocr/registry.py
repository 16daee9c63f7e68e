"""Readers by name; optional ones are imported when asked for, so a missing extra
is a clear message instead of an ImportError at startup."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from vidclip.ocr.base import TextReader


def _rapidocr(options: Mapping) -> TextReader:
    from vidclip.ocr.rapidocr_backend import RapidOCRReader

    return RapidOCRReader(threads=int(options.get("threads", 2) or 2))


def _openai(options: Mapping) -> TextReader:
    from vidclip.ocr.openai_backend import OpenAIReader

    return OpenAIReader.from_options(options)


READERS: dict[str, Callable[[Mapping], TextReader]] = {"rapidocr": _rapidocr, "openai": _openai}


def get_reader(name: str, options: Mapping) -> TextReader:
    if name not in READERS:
        raise ValueError(f"unknown text reader {name!r}; known: auto, off, {', '.join(READERS)}")
    return READERS[name](options)
