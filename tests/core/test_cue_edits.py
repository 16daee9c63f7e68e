"""A person's edit of a caption cue: kept as typed (line breaks too), checked
against the track's style in words, and laid over the result's cue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.results import STYLE, heard_and_read
from vidclip.jobs.cue_edits import MAX_CUE_CHARS, clean_cue_text, cue_warnings, find_cue
from vidclip.jobs.revisions import RevisionInfo, apply_revisions, current_text

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def revision(field: str, scene: int | None, after: str, seq: int = 1,
             author: str = "rui") -> RevisionInfo:
    return RevisionInfo(job_id="j", field=field, scene=scene, seq=seq, before=None, after=after,
                        author=author, at=AT)


def test_line_breaks_are_kept_and_whitespace_folded_per_line():
    typed = "  Where is\t the  <b>harbour</b>?\r\n\r\n\n - Over there &  beyond.  "
    assert clean_cue_text(typed) == "Where is the <b>harbour</b>?\n- Over there & beyond."
    assert clean_cue_text("one line") == "one line"


@pytest.mark.parametrize("text, message", [
    (" \n \n", "empty"), ("a\x07b", "control characters"),
    ("x" * (MAX_CUE_CHARS + 1), f"{MAX_CUE_CHARS + 1} characters long")])
def test_bad_cue_text_is_refused_with_a_reason(text, message):
    with pytest.raises(ValueError, match=message):
        clean_cue_text(text)


def test_warnings_say_where_the_style_is_broken_and_nothing_is_rewrapped():
    assert cue_warnings("Welcome to the harbour.", 0.5, 2.4, STYLE) == []
    long_line = "Welcome aboard, all of you, to the old harbour of Kingsport."
    assert cue_warnings(long_line, 0.0, 7.0, STYLE) == [
        "line 1 is 60 characters long; the style allows 42"]
    assert cue_warnings("One.\nTwo.\nThree.", 0.0, 3.0, STYLE) == [
        "3 lines; the style allows 2"]
    # 16 characters read (the line break counts as a space) in half a second.
    assert cue_warnings("Run now.\nGo on!!", 1.0, 1.5, STYLE) == [
        "it reads at 32.0 characters a second; the style allows 20"]
    assert cue_warnings("Hi.", 2.0, 2.0, STYLE) == [
        "it reads at no time; the style allows 20"]


def test_a_cue_revision_is_laid_over_its_cue_alone():
    analysis = heard_and_read()
    edited = "Welcome aboard.\nMind the gap."
    out = apply_revisions(analysis, [revision("cue", 0, "Welcome."),
                                     revision("cue", 0, edited, seq=2, author="ana"),
                                     revision("caption", 0, "A quay.")])
    cues = out.caption_track.cues
    assert cues[0].text == edited and cues[0].review.reviewed_by == "ana"
    assert cues[0].review.reviewed_at == AT and cues[0].review.status == "reviewed"
    assert cues[1].text == analysis.caption_track.cues[1].text and cues[1].review is None
    assert out.scenes[0].caption == "A quay."  # scene captions keep their own field
    assert analysis.caption_track.cues[0].text == "Welcome to the harbour."  # a copy changed
    assert current_text(out, "cue", 0) == edited and current_text(out, "cue", 9) is None


def test_a_revision_of_a_cue_that_is_not_there_changes_nothing():
    silent = heard_and_read(speech=False)
    assert apply_revisions(silent, [revision("cue", 0, "Hello.")]).caption_track is None
    spoken = heard_and_read()
    out = apply_revisions(spoken, [revision("cue", 7, "Hello.")])
    assert [c.text for c in out.caption_track.cues] == [c.text for c in
                                                         spoken.caption_track.cues]


def test_cues_are_found_by_their_index():
    track = heard_and_read().caption_track
    assert find_cue(track, 2).text == "[music]"
    del track.cues[0]  # numbered from 1 now: found by index, not by position
    assert find_cue(track, 2).text == "[music]" and find_cue(track, 0) is None
    assert find_cue(None, 0) is None
