from vidclip.ocr.describe import read_aloud, spoken_form
from vidclip.schema import OnScreenText


def _item(text, kind, start=1.0):
    return OnScreenText(start_s=start, end_s=start + 2, text=text, box=[0.2, 0.4, 0.8, 0.5],
                        confidence=0.9, kind=kind)


def test_a_title_is_read_in_sentence_case():
    assert spoken_form("GRAND OPENING\nSATURDAY") == "Grand opening Saturday"
    assert read_aloud(0, 5, [_item("GRAND OPENING SATURDAY", "title")]) == \
        "A title reads: Grand opening Saturday."


def test_subtitles_and_text_of_other_scenes_are_not_read():
    assert read_aloud(0, 5, [_item("Hello", "subtitle"), _item("LATER", "title", 7.0)]) is None
