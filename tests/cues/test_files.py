"""The caption files round-trip through other people's readers, and are not
written where there is nothing to caption."""

from __future__ import annotations

import html
import io

import pytest
import srt
import webvtt

from tests.cues.words import LONG_TEXT, analysis_with, spoken
from vidclip.config import TimedTextOptions
from vidclip.cues.segmenter import build_caption_track
from vidclip.output import write_outputs
from vidclip.output.captions import (
    NoCaptionTrack,
    read_ttml,
    to_captions_srt,
    to_captions_ttml,
    to_captions_vtt,
)
from vidclip.schema import SoundEvent


@pytest.fixture
def captioned():
    analysis = analysis_with([spoken(LONG_TEXT, 0.5, rate_wps=2.8, speaker="S1"),
                              spoken("Fish & chips <tonight>?", 24.0, speaker="S2")],
                             cuts=(10.0,), sounds=[SoundEvent(start_s=26.0, end_s=30.0,
                                                              label="music", evidence="audio")])
    analysis.caption_track = build_caption_track(analysis, TimedTextOptions())
    return analysis


def test_webvtt_reads_the_captions_back(captioned, tmp_path):
    path = tmp_path / "c.captions.vtt"
    path.write_text(to_captions_vtt(captioned))
    cues = webvtt.read(str(path)).captions
    track = captioned.caption_track.cues
    # WebVTT escapes &, < and > in cue text; webvtt-py hands the escaped text back.
    assert [html.unescape(c.text) for c in cues] == [c.text for c in track]
    assert "Kind: captions" in path.read_text() and "not reviewed by a person" in path.read_text()
    assert "Fish &amp; chips &lt;tonight&gt;?" in path.read_text()


def test_srt_reads_the_captions_back(captioned):
    subs = list(srt.parse(to_captions_srt(captioned)))
    track = captioned.caption_track.cues
    assert [s.content for s in subs] == [c.text for c in track]
    assert [round(s.start.total_seconds(), 3) for s in subs] == [c.start_s for c in track]


def test_ttml_is_imsc_and_ttconv_reads_it_back(captioned):
    ttml = to_captions_ttml(captioned)
    assert "http://www.w3.org/ns/ttml" in ttml and 'xml:lang="en"' in ttml
    doc = read_ttml(ttml)
    body = doc.get_body()
    paragraphs = [p for div in body for p in div]
    assert len(paragraphs) == len(captioned.caption_track.cues)
    assert "Fish &amp; chips &lt;tonight&gt;?" in ttml  # escaped by the XML writer


def test_without_a_transcript_no_caption_file_is_written(tmp_path):
    analysis = analysis_with([])
    analysis.transcript = None
    written = write_outputs(analysis, tmp_path, "clip", ("json", "captions", "vtt"))
    assert not list(tmp_path.glob("*.captions.*"))
    assert set(written) == {"json", "vtt"}
    with pytest.raises(NoCaptionTrack, match="no transcript"):
        to_captions_vtt(analysis)


def test_the_captions_format_writes_three_files(captioned, tmp_path):
    written = write_outputs(captioned, tmp_path, "clip", ("captions",))
    assert sorted(p.name for p in written.values()) == [
        "clip.captions.srt", "clip.captions.ttml", "clip.captions.vtt"]
    assert io.StringIO(written["captions.vtt"].read_text()).readline().startswith("WEBVTT")


def test_the_combined_transcript_escapes_and_orders_what_was_said_seen_and_written():
    from tests.results import MARKUP_TEXT, heard_and_read
    from vidclip.output import to_transcript_html, to_transcript_text

    analysis = heard_and_read()
    analysis.transcript.segments[0].text = "Fish & <b>chips</b>"
    page = to_transcript_html(analysis)
    assert '<html lang="en">' in page and page.count("<h1>") == 1
    assert MARKUP_TEXT not in page and "<b>chips" not in page
    assert "Fish &amp; &lt;b&gt;chips&lt;/b&gt;" in page
    assert page.index("A harbour, shot 0.") < page.index("Fish &amp;") < page.index(
        "GRAND OPENING") < page.index("[music]")
    assert "<strong>Said (S1):</strong>" in page and "<strong>Heard:</strong>" in page
    text = to_transcript_text(analysis)
    assert "[0:01 - 0:02] S1: Fish & <b>chips</b>" in text  # plain text: as said
    assert "\n\n[0:03 - 0:05] S2: Thanks for having me." in text
