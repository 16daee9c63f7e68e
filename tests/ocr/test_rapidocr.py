"""The bundled reader's round trip on rendered frames, and the text-free case."""

import numpy as np
import pytest

from tests.ocr.frames import FONT, gradient, render
from vidclip.config import TextOptions
from vidclip.ocr.track import track

pytest.importorskip("rapidocr")
if not FONT.exists():
    pytest.skip("DejaVu fonts not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def reader():
    from vidclip.ocr.rapidocr_backend import RapidOCRReader

    return RapidOCRReader()


def test_reads_a_title(reader):
    [lines] = reader.read([render("GRAND OPENING SATURDAY")])
    [item] = track([(0.0, lines)], 2.0, TextOptions().min_confidence)
    assert item.text.replace(" ", "") == "GRANDOPENINGSATURDAY"
    assert item.kind == "title"
    x0, y0, x1, y1 = item.box
    assert 0.0 <= x0 < x1 <= 1.0 and 0.4 < y0 < y1 < 0.65


def test_dark_on_light(reader):
    [lines] = reader.read([render("Harbour master", 40, light_on_dark=False)])
    assert "harbour master" in " ".join(x.text.lower() for x in lines)


def test_nothing_on_frames_without_text(reader):
    skimage = pytest.importorskip("skimage.data")
    photos = [np.ascontiguousarray(skimage.chelsea()), np.ascontiguousarray(skimage.coffee()),
              gradient(), np.full((540, 960, 3), 30, np.uint8)]
    observed = list(enumerate(reader.read(photos)))
    assert track([(float(t), lines) for t, lines in observed], 5.0,
                 TextOptions().min_confidence) == []


def test_the_detector_size_is_a_setting_and_a_bad_one_is_refused():
    from vidclip.ocr.registry import get_reader

    assert get_reader("rapidocr", {"det_side": 1280}).det_side == 1280
    with pytest.raises(ValueError, match="multiple of 32"):
        get_reader("rapidocr", {"det_side": 1000})


def test_tilted_vertical_and_8k_frames_are_read(reader):
    from PIL import Image

    sign = Image.fromarray(render("NO PARKING", 60))
    tilted = np.asarray(sign.rotate(15, fillcolor=(20, 24, 40)))
    vertical = render("Harbour master", 48, width=720, height=1280)
    # An 8K frame as a reader may get it from a caller (the stage's decoder gives 720p).
    huge = np.asarray(Image.fromarray(render("GRAND OPENING", 56)).resize((7680, 4320)))
    for frame, want in ((tilted, "noparking"), (vertical, "harbourmaster"), (huge, "grandopening")):
        [lines] = reader.read([frame])
        assert want in "".join(x.text.lower() for x in lines).replace(" ", ""), want


def test_a_line_still_on_screen_is_not_recognised_again(reader, monkeypatch):
    frame = render("GRAND OPENING SATURDAY")
    [first] = reader.read([frame])
    engine = reader.load()
    calls = []
    real = engine.recognize_txt
    monkeypatch.setattr(engine, "recognize_txt",
                        lambda crops: calls.append(len(crops)) or real(crops))
    drifted = np.roll(frame, 3, axis=1)
    [again] = [reader.read_again(drifted, frame, first)]
    assert [x.text for x in again] == [x.text for x in first] and calls == []
    changed = reader.read_again(render("GRAND OPENING SUNDAY"), frame, first)
    assert calls == [1] and "SUNDAY" in " ".join(x.text for x in changed)
