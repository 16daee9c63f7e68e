"""Tracking and merging from hand-made detections."""

from vidclip.ocr.base import Line
from vidclip.ocr.track import blocks, kind_of, track

TITLE = Line("GRAND OPENING", (0.3, 0.40, 0.7, 0.48), 0.95)
TITLE2 = Line("SATURDAY", (0.4, 0.50, 0.6, 0.58), 0.93)


def test_an_item_lasts_from_appearing_to_disappearing():
    frames = [(0.0, []), (1.0, [TITLE]), (2.0, [TITLE]), (3.0, [])]
    [item] = track(frames, end_s=4.0, min_confidence=0.8)
    assert (item.start_s, item.end_s, item.text) == (1.0, 3.0, "GRAND OPENING")


def test_text_still_on_screen_ends_with_the_video():
    [item] = track([(1.0, [TITLE])], end_s=5.0, min_confidence=0.8)
    assert item.end_s == 5.0


def test_lines_of_one_block_join_in_reading_order():
    [block] = blocks([TITLE2, TITLE], 0.8)
    assert block.text == "GRAND OPENING\nSATURDAY"
    assert block.box == (0.3, 0.40, 0.7, 0.58)


def test_two_subtitle_lines_whose_boxes_overlap_are_one_block():
    # As the detector boxed benchmarks/ocr.py's two-line subtitles: the second
    # line's box starts a quarter of a line above the first one's end.
    first = Line("Where were you last night?", (0.333, 0.838, 0.666, 0.894), 1.0)
    second = Line("I was at the station.", (0.378, 0.881, 0.619, 0.938), 0.98)
    [block] = blocks([second, first], 0.9)
    assert block.text == "Where were you last night?\nI was at the station."
    # A line that starts above the other's middle is not below it.
    high = Line("OVERLAID", (0.35, 0.864, 0.65, 0.90), 0.99)
    assert len(blocks([first, high], 0.9)) == 2


def test_words_on_one_row_join_left_to_right():
    right = Line("OPENING", (0.5, 0.40, 0.7, 0.48), 0.9)
    left = Line("GRAND", (0.3, 0.40, 0.48, 0.48), 0.9)
    assert blocks([right, left], 0.8)[0].text == "GRAND OPENING"


def test_a_misread_on_one_frame_merges_into_the_same_item():
    misread = Line("GRAND 0PENING", (0.31, 0.40, 0.7, 0.48), 0.85)
    items = track([(0.0, [TITLE]), (1.0, [misread]), (2.0, [TITLE])], 3.0, 0.8)
    assert len(items) == 1 and items[0].text == "GRAND OPENING"


def test_low_confidence_lines_are_dropped():
    assert track([(0.0, [Line("xq", (0.1, 0.1, 0.2, 0.2), 0.5)])], 1.0, 0.8) == []


def test_different_text_in_the_same_place_is_a_new_item():
    a = Line("Hello there", (0.3, 0.85, 0.7, 0.92), 0.9)
    b = Line("Goodbye now", (0.3, 0.85, 0.7, 0.92), 0.9)
    items = track([(0.0, [a]), (1.0, [b])], 2.0, 0.8)
    assert [(i.text, i.start_s, i.end_s) for i in items] == [
        ("Hello there", 0.0, 1.0), ("Goodbye now", 1.0, 2.0)]


def test_kinds_from_position():
    assert kind_of((0.3, 0.85, 0.7, 0.92)) == "subtitle"
    assert kind_of((0.05, 0.75, 0.35, 0.82)) == "lower_third"
    assert kind_of((0.2, 0.35, 0.8, 0.5)) == "title"
    assert kind_of((0.8, 0.05, 0.95, 0.08)) == "other"


def test_a_line_held_in_the_subtitle_band_for_the_whole_video_is_not_a_subtitle():
    band = (0.3, 0.9, 0.7, 0.95)
    assert kind_of(band, 3.0) == "subtitle"
    assert kind_of(band, 24.0) == "other"  # a copyright notice, not speech
