from tests.results import heard_and_read
from vidclip.ocr.subtitles import mark_subtitles
from vidclip.schema import OnScreenText

BAND = [0.3, 0.85, 0.7, 0.93]


def _with_band_text(*texts_at):
    analysis = heard_and_read()
    analysis.on_screen_text = [OnScreenText(start_s=a, end_s=b, text=t, box=BAND,
                                            confidence=0.9, kind="subtitle")
                               for a, b, t in texts_at]
    return analysis


def test_band_text_said_at_that_time_is_a_burned_in_subtitle():
    marked = mark_subtitles(_with_band_text((0.5, 2.4, "Welcome to the harbour."),
                                            (6.0, 7.8, "Buy fresh fish today")))
    assert [i.matches_speech for i in marked.on_screen_text] == [True, False]


def test_without_a_transcript_nothing_is_claimed():
    analysis = _with_band_text((0.5, 2.4, "Welcome to the harbour."))
    analysis.transcript = None
    assert mark_subtitles(analysis).on_screen_text[0].matches_speech is None
