"""Output writers: plain functions from a VideoAnalysis to text or files."""

from vidclip.output.captions import to_captions_srt, to_captions_ttml, to_captions_vtt
from vidclip.output.files import write_outputs
from vidclip.output.tables import to_csv, write_embeddings
from vidclip.output.text_tracks import (
    to_descriptions_vtt,
    to_srt,
    to_transcript_html,
    to_transcript_text,
    to_webvtt,
)


def to_json(analysis, indent: int | None = 2) -> str:
    return analysis.model_dump_json(indent=indent)


__all__ = ["to_json", "to_webvtt", "to_descriptions_vtt", "to_srt", "to_transcript_text",
           "to_transcript_html", "to_captions_vtt", "to_captions_srt", "to_captions_ttml",
           "to_csv", "write_embeddings", "write_outputs"]
