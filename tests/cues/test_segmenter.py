"""The caption segmenter keeps every timed-text rule, on hand-made word timings."""

from __future__ import annotations

import pytest

from tests.cues.words import FPS, LONG_TEXT, analysis_with, spoken
from vidclip.config import TimedTextOptions
from vidclip.cues.phrases import bad_break_after
from vidclip.cues.rules import check_track
from vidclip.cues.segmenter import build_caption_track
from vidclip.cues.styles import caption_style
from vidclip.schema import SoundEvent

ADULT = TimedTextOptions()
CHILDREN = TimedTextOptions(**caption_style("children"))


def track_of(analysis, style=ADULT):
    track = build_caption_track(analysis, style)
    assert track is not None
    analysis.caption_track = track
    return track


def test_no_transcript_no_track():
    analysis = analysis_with([])
    analysis.transcript = None
    assert build_caption_track(analysis, ADULT) is None


def test_long_speech_keeps_line_length_two_lines_and_every_rule():
    analysis = analysis_with([spoken(LONG_TEXT, 0.5, rate_wps=2.8)])
    track = track_of(analysis)
    assert len(track.cues) >= 4
    for cue in track.cues:
        lines = cue.text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), cue.text
    assert check_track(track, analysis) == []
    # Word times are kept: each cue starts at (or just after) its first word.
    assert track.cues[0].start_s == pytest.approx(0.5)


def test_a_line_that_fits_stays_one_line():
    analysis = analysis_with([spoken("Good evening.", 1.0)])
    assert track_of(analysis).cues[0].text == "Good evening."


@pytest.mark.parametrize("style,cps", [(ADULT, 20.0), (CHILDREN, 17.0)])
def test_reading_speed(style, cps):
    # About 15 characters a second of speech in breath groups: readable at 17 too.
    segments = [spoken("We sailed out at dawn and the sea was calm as glass.", t, rate_wps=3.2)
                for t in (0.0, 6.0, 12.0, 18.0)]
    analysis = analysis_with(segments)
    track = track_of(analysis, style)
    assert track.style.max_cps == cps
    for cue in track.cues:
        assert len(cue.text.replace("\n", " ")) / (cue.end_s - cue.start_s) <= cps + 1e-6
    assert check_track(track, analysis) == []


def test_children_preset_is_slower_than_adult():
    assert CHILDREN.max_cps == 17.0 and ADULT.max_cps == 20.0
    with pytest.raises(ValueError, match="adult, children"):
        caption_style("teen")


def test_a_short_word_stays_up_the_minimum_time():
    analysis = analysis_with([spoken("Hi.", 2.0, rate_wps=5.0)])
    cue = track_of(analysis).cues[0]
    assert cue.end_s - cue.start_s >= 5 / 6 - 1e-3


def test_no_cue_is_longer_than_seven_seconds():
    slow = " ".join(["so"] * 3 + ["slowly"] * 10)
    analysis = analysis_with([spoken(slow, 0.0, rate_wps=1.0)])  # 13 s, no pause >= 1.5 s
    track = track_of(analysis)
    assert len(track.cues) >= 2
    assert all(c.end_s - c.start_s <= 7.0 + 1e-3 for c in track.cues)
    assert check_track(track, analysis) == []


def test_two_frames_between_cues():
    # The second sentence starts the moment the first ends.
    analysis = analysis_with([spoken("One two three four five six seven eight nine ten "
                                     "eleven twelve thirteen fourteen.", 0.0, rate_wps=2.5),
                              spoken("Fifteen sixteen seventeen.", 5.6, rate_wps=2.5)])
    track = track_of(analysis)
    for a, b in zip(track.cues, track.cues[1:]):
        assert (b.start_s - a.end_s) * FPS >= 2 - 0.04
    assert check_track(track, analysis) == []


def test_lines_never_end_on_an_article_preposition_or_conjunction():
    # Greedy filling would end the first line on "the" (42 characters up to it).
    text = "Yesterday we walked all the way along the river to the old mill and back home."
    analysis = analysis_with([spoken(text, 0.0, rate_wps=3.0)])
    track = track_of(analysis)
    for cue in track.cues:
        for line in cue.text.split("\n")[:-1]:
            assert not bad_break_after(line.split()[-1]), cue.text
    assert check_track(track, analysis) == []


def test_a_cue_is_split_at_a_shot_change():
    analysis = analysis_with([spoken("Look over there at the lighthouse on the rocks.", 1.5,
                                     rate_wps=3.0)], cuts=(3.0,))
    track = track_of(analysis)
    assert len(track.cues) == 2
    assert track.cues[0].end_s <= 3.0 and track.cues[1].start_s >= 3.0
    assert check_track(track, analysis) == []


def test_a_cue_edge_within_twelve_frames_snaps_to_the_cut():
    # Speech starts 8 frames after a cut: the cue starts on the cut.
    late = analysis_with([spoken("Here we are at last.", 4.0 + 8 / FPS)], cuts=(4.0,))
    assert track_of(late).cues[0].start_s == pytest.approx(4.0)
    # The cue would end 10 frames before a cut: it ends on it.
    early = analysis_with([spoken("Here we are at last.", 3.0, rate_wps=2.5)],
                          cuts=(3.0 + 2.0 + 10 / FPS,))
    cue = track_of(early).cues[0]
    assert cue.end_s == pytest.approx(5.4)
    # 20 frames away: no snap.
    far = analysis_with([spoken("Here we are at last.", 4.0 + 20 / FPS)], cuts=(4.0,))
    assert track_of(far).cues[0].start_s == pytest.approx(4.8)
    for a in (late, early, far):
        assert check_track(a.caption_track, a) == []


def test_a_new_speaker_is_marked_with_a_dash():
    analysis = analysis_with([spoken("Are you coming?", 1.0, speaker="S1"),
                              spoken("Yes, wait for me.", 2.2, speaker="S2"),
                              spoken("Hurry up then.", 3.8, speaker="S1")])
    texts = [c.text for c in track_of(analysis).cues]
    assert texts == ["Are you coming?", "- Yes, wait for me.", "- Hurry up then."]
    assert check_track(analysis.caption_track, analysis) == []


def test_without_speaker_labels_a_pause_ends_a_cue_but_adds_no_dash():
    analysis = analysis_with([spoken("Are you coming?", 1.0), spoken("Yes.", 4.0)])
    texts = [c.text for c in track_of(analysis).cues]
    assert texts == ["Are you coming?", "Yes."]


def test_sounds_only_where_the_transcript_has_evidence():
    silent_music = analysis_with([spoken("Listen.", 1.0)])
    assert [c.kind for c in track_of(silent_music).cues] == ["speech"]
    music = SoundEvent(start_s=3.0, end_s=8.0, label="music", evidence="audio")
    heard = analysis_with([spoken("Listen.", 1.0), spoken("Lovely.", 6.0)], sounds=[music])
    cues = track_of(heard).cues
    sounds = [c for c in cues if c.kind == "sound"]
    # Before "Lovely." and after it: the music goes on around the word.
    assert [c.text for c in sounds] == ["[music]", "[music]"]
    speech = [c for c in cues if c.kind == "speech"]
    # The music is captioned only between the words, never over them.
    assert all(s.end_s <= c.start_s or s.start_s >= c.end_s for s in sounds for c in speech)
    assert check_track(heard.caption_track, heard) == []
    off = TimedTextOptions(sounds=False)
    assert all(c.kind == "speech" for c in build_caption_track(heard, off).cues)


def test_a_segment_without_word_times_is_spread_over_its_span():
    segment = spoken("Nothing is timed here.", 1.0)
    segment.words = []
    analysis = analysis_with([segment])
    assert track_of(analysis).cues[0].text == "Nothing is timed here."
    assert check_track(analysis.caption_track, analysis) == []


def test_the_cli_caption_style_sets_the_reading_speed():
    from vidclip._cli.main import analyze
    from vidclip._cli.options import config_from_options

    def config(*args):
        ctx = analyze.make_context("analyze", ["clip.mp4", *args])
        return config_from_options(ctx.params).timed_text

    assert config("--caption-style", "children").max_cps == 17.0
    assert config().max_cps == 20.0
    assert "captions" in analyze.make_context("analyze", ["clip.mp4"]).params["formats"]


def test_a_corrected_transcript_lays_out_again_in_the_tracks_style():
    from vidclip.stages.timed_text import relay_captions

    analysis = analysis_with([spoken("Welcome to the harbor.", 1.0)])
    analysis.caption_track = build_caption_track(analysis, CHILDREN)
    analysis.transcript.segments[0].words[3].text = "harbour."
    again = relay_captions(analysis)
    assert again.caption_track.cues[0].text == "Welcome to the harbour."
    assert again.caption_track.style.max_cps == 17.0
    assert analysis.caption_track.cues[0].text == "Welcome to the harbor."  # a copy


def test_words_just_before_a_cut_borrow_reading_time_from_the_cue_before():
    # A full two-line cue runs up to 5.4 s; "the gate at" is said 5.45-5.95 s and a
    # cut at 6.0 s ends its shot: alone it would be up 0.5 s, under the 5/6 s minimum.
    # The cue before is up far longer than its reading time, so it gives some back.
    first = spoken("although most and the guy to settle in the morning the harbour master "
                   "open", 0.2, rate_wps=14 / 5.2)
    late = spoken("the gate at", 5.45, rate_wps=6.0)
    after = spoken("seven in the morning", 6.1, rate_wps=3.0)
    analysis = analysis_with([first, late, after], cuts=(6.0,))
    track = track_of(analysis)
    assert check_track(track, analysis) == []
    short = next(c for c in track.cues if c.text == "the gate at")
    assert short.end_s <= 6.0 + 1e-3 and short.end_s - short.start_s >= 5 / 6 - 1e-3
    before = track.cues[short.index - 1]
    assert before.end_s <= short.start_s - 2 / FPS + 1e-3  # two frames between them
    assert before.end_s >= first.words[-1].start_s  # still up when its last word is said
