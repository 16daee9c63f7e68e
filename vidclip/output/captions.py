"""The caption track (what is said and heard) as WebVTT, SubRip and TTML.

These write ``analysis.caption_track`` cue for cue: the segmenter
(:mod:`vidclip.cues.segmenter`) already laid the cues out by the timed-text
rules, so nothing is re-wrapped here. TTML (IMSC 1 text profile) is not
hand-written: the SubRip text goes through ttconv's reader into its canonical
model, which ttconv's IMSC writer serialises (and which its IMSC reader can
read back, see :func:`read_ttml`).
"""

from __future__ import annotations

import html
import io
import xml.etree.ElementTree as ET

from vidclip.output.text_tracks import machine_notice
from vidclip.output.timed_text import escape_vtt, format_timestamp
from vidclip.schema import CaptionCue, VideoAnalysis, is_reviewed

#: Why a caption file is missing, the one line a CLI run prints.
#: The result's ``skipped`` entry for the transcript says why there is none.
NO_TRANSCRIPT = ("no transcript (speech off or no usable audio: see the result's 'skipped'): "
                 "the caption files (.captions.vtt/.srt/.ttml) are not written")


class NoCaptionTrack(ValueError):
    """The analysis has no caption track (no transcript): nothing to write."""


def _cues(analysis: VideoAnalysis) -> list[CaptionCue]:
    if analysis.caption_track is None:
        raise NoCaptionTrack(NO_TRANSCRIPT)
    return [c for c in analysis.caption_track.cues if c.text.strip() and c.end_s > c.start_s]


def _language(analysis: VideoAnalysis) -> str:
    track = analysis.caption_track
    return (track.language if track and track.language else
            analysis.transcript.language if analysis.transcript and analysis.transcript.language
            else "en")


def _notice(analysis: VideoAnalysis) -> str:
    t = analysis.transcript
    writer = ", ".join(p for p in ((t.backend, t.model) if t else ()) if p)
    if not writer:
        return machine_notice(analysis)
    return f"Written by a machine ({writer}) and not reviewed by a person: it may be wrong."


def to_captions_vtt(analysis: VideoAnalysis) -> str:
    """WebVTT captions (``Kind: captions``); a ``NOTE`` says when cues are unreviewed."""
    cues = _cues(analysis)
    lines = ["WEBVTT", "Kind: captions", f"Language: {_language(analysis)}", ""]
    done = [is_reviewed(c.review) for c in cues]
    if not all(done) or not cues:
        lines += ["NOTE", _notice(analysis).replace("-->", "->"), ""]
    mixed = any(done) and not all(done)
    for n, (cue, ok) in enumerate(zip(cues, done), start=1):
        if mixed and not ok:
            lines += ["NOTE unreviewed", ""]
        lines += [f"{cue.kind}-{n}",
                  f"{format_timestamp(cue.start_s)} --> {format_timestamp(cue.end_s)}",
                  escape_vtt(cue.text), ""]
    return "\n".join(lines)


def to_captions_srt(analysis: VideoAnalysis) -> str:
    """SubRip captions: the same cues; SubRip text is shown as it is typed."""
    blocks = []
    for n, cue in enumerate(_cues(analysis), start=1):
        timing = (f"{format_timestamp(cue.start_s, srt=True)} --> "
                  f"{format_timestamp(cue.end_s, srt=True)}")
        # A blank line would end the block early: the cue's lines never hold one.
        blocks.append(f"{n}\n{timing}\n{cue.text.replace('-->', '->')}\n")
    return "\n".join(blocks)


def to_captions_ttml(analysis: VideoAnalysis) -> str:
    """IMSC 1 text profile TTML, converted by ttconv from the SubRip cues."""
    import ttconv.imsc.writer as imsc_writer
    import ttconv.srt.reader as srt_reader

    doc = srt_reader.to_model(io.StringIO(_srt_for_ttconv(to_captions_srt(analysis))))
    if doc is None:  # no cue: ttconv reads nothing, but an empty track is still a track
        from ttconv.model import ContentDocument

        doc = ContentDocument()
    doc.set_lang(_language(analysis))
    tree = imsc_writer.from_model(doc)
    root = tree.getroot() if isinstance(tree, ET.ElementTree) else tree
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _srt_for_ttconv(srt_text: str) -> str:
    """The SubRip text with cue lines escaped: ttconv reads SubRip's few tags
    with an HTML parser, so a said "<tonight>" would otherwise be taken for one."""
    out = []
    for line in srt_text.split("\n"):
        is_timing = " --> " in line and line[:1].isdigit()
        out.append(line if is_timing or line.isdigit() else html.escape(line, quote=False))
    return "\n".join(out)


def read_ttml(text: str):
    """ttconv's model of a TTML document (ValueError when it does not parse)."""
    import ttconv.imsc.reader as imsc_reader

    doc = imsc_reader.to_model(ET.ElementTree(ET.fromstring(text)))
    if doc is None:
        raise ValueError("ttconv read no document from the TTML")
    return doc
