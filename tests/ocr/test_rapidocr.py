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
