"""Machine-written text says so until a person has reviewed it; the
descriptions track speaks only about scenes with tags."""

from __future__ import annotations

from datetime import datetime, timezone

import webvtt

from vidclip.output import to_descriptions_vtt, to_transcript_html, to_transcript_text, to_webvtt
from vidclip.schema import TextReview, VideoAnalysis

REVIEWED = TextReview(status="reviewed", reviewed_by="ana",
                      reviewed_at=datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc))


def reviewed(analysis: VideoAnalysis, *indices: int) -> VideoAnalysis:
    scenes = [s.model_copy(update={"caption_review": REVIEWED, "description_review": REVIEWED})
              if s.index in indices else s for s in analysis.scenes]
    return analysis.model_copy(update={"scenes": scenes})


def notes(vtt: str) -> list[str]:
    return [block for block in vtt.split("\n\n") if block.startswith("NOTE")]


def test_an_unreviewed_track_says_a_machine_wrote_it(analysis, tmp_path):
    vtt = to_webvtt(analysis)
    note, = notes(vtt)
    assert note == ("NOTE\nWritten by a machine (template) and not reviewed by a person: "
                    "it may be wrong.")
    path = tmp_path / "a.vtt"
    path.write_text(vtt)
    assert len(webvtt.read(str(path))) == 2  # a NOTE is no cue


def test_a_reviewed_track_carries_no_note(analysis):
    assert notes(to_webvtt(reviewed(analysis, 0, 1, 2))) == []


def test_where_some_cues_are_reviewed_each_unreviewed_one_is_marked(analysis):
    vtt = to_webvtt(reviewed(analysis, 0))
    blocks = vtt.split("\n\n")
    assert blocks[1].startswith("NOTE\nWritten by a machine")
    marked = [i for i, b in enumerate(blocks) if b == "NOTE unreviewed"]
    assert len(marked) == 1 and blocks[marked[0] + 1].startswith("descriptions-2\n00:00:04.200")


def test_the_descriptions_track_leaves_out_scenes_without_tags(analysis):
    untagged = analysis.scenes[1].model_copy(update={"tags": []})
    scenes = [analysis.scenes[0], untagged]
    described = analysis.model_copy(update={"scenes": [
        s.model_copy(update={"description": "A dog can be seen." if s.tags else
                             "No confidently recognised content."}) for s in scenes]})
    vtt = to_descriptions_vtt(described)
    assert "No confidently recognised content." not in vtt
    assert "A dog can be seen." in vtt and len(notes(vtt)) == 1
    assert "No confidently" in to_webvtt(described.model_copy(update={"scenes": [
        s.model_copy(update={"caption": s.description}) for s in described.scenes]}))


def test_transcripts_carry_the_notice_until_reviewed(analysis):
    described = analysis.model_copy(update={"scenes": [
        s.model_copy(update={"description": "A dog can be seen."}) for s in analysis.scenes]})
    assert "not reviewed by a person" in to_transcript_text(described)
    assert '<p role="note">Written by a machine' in to_transcript_html(described)
    done = reviewed(described, 0, 1, 2)
    done = done.model_copy(update={"captions": done.captions.model_copy(
        update={"summary_review": REVIEWED})})
    assert "not reviewed" not in to_transcript_text(done)
