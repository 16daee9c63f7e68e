"""The rule checker finds what a bad track breaks, independently of the segmenter."""

from __future__ import annotations

from tests.cues.words import analysis_with, spoken
from vidclip.config import TimedTextOptions
from vidclip.cues.rules import check_track, rule_counts
from vidclip.cues.segmenter import build_caption_track, style_info
from vidclip.jobs.cue_edits import cue_warnings
from vidclip.schema import CaptionCue, CaptionTrack, SoundEvent


def bad_track():
    analysis = analysis_with([spoken("Are you coming with us?", 0.5, speaker="S1"),
                              spoken("Yes.", 5.6, speaker="S2"),
                              spoken("Then run to the boat before the tide turns.", 9.0)],
                             cuts=(5.0,), sounds=[SoundEvent(start_s=20, end_s=25,
                                                             label="music", evidence="audio")])
    style = style_info(TimedTextOptions(), 25.0)
    cues = [
        # Over the cut at 5 s, a line ending on "with", three lines.
        CaptionCue(index=0, start_s=0.5, end_s=5.5, text="Are you\ncoming with\nus?"),
        # A new speaker without a dash, one frame after the cue before, too short.
        CaptionCue(index=1, start_s=5.54, end_s=5.9, text="Yes."),
        # Far too fast, too long on screen, a line of 50 characters, words not said.
        CaptionCue(index=2, start_s=9.0, end_s=17.0,
                   text="Then run to the boat before the tide turns, quick!\n" + "x" * 200),
        # A sound nobody heard.
        CaptionCue(index=3, start_s=30.0, end_s=31.0, text="[applause]", kind="sound"),
    ]
    analysis.caption_track = CaptionTrack(language="en", style=style, cues=cues)
    return analysis


def test_the_checker_names_every_broken_rule():
    analysis = bad_track()
    found = check_track(analysis.caption_track, analysis)
    rules = {v.rule for v in found}
    assert {"lines", "line_break", "shot_change", "gap", "min_duration", "speaker",
            "reading_speed", "max_duration", "line_length", "verbatim", "evidence"} <= rules
    by_cue = {(v.cue, v.rule) for v in found}
    assert (0, "shot_change") in by_cue and (1, "speaker") in by_cue
    assert (3, "evidence") in by_cue
    assert rule_counts(analysis)[1] == 1


def test_a_good_track_counts_zero_for_the_benchmark():
    analysis = analysis_with([spoken("Are you coming with us?", 0.5, speaker="S1"),
                              spoken("Yes.", 3.0, speaker="S2")], cuts=(5.0,))
    analysis.caption_track = build_caption_track(analysis, TimedTextOptions())
    assert rule_counts(analysis) == (0, 0)
    analysis.caption_track = None
    assert rule_counts(analysis) == (0, 0)


def test_the_review_apps_warnings_are_the_checkers_rules():
    style = style_info(TimedTextOptions(), 25.0)
    warnings = cue_warnings("x" * 50 + "\nb\nc", 0.0, 1.0, style)
    assert warnings == ["line 1 is 50 characters long; the style allows 42",
                        "3 lines; the style allows 2",
                        "it reads at 54.0 characters a second; the style allows 20"]
