"""A generated clip with a title card: the analysis reads it, with times, into the description."""

import numpy as np
import pytest

from tests.ocr.frames import FONT, render
from vidclip.config import AnalysisConfig

pytest.importorskip("rapidocr")
if not FONT.exists():
    pytest.skip("DejaVu fonts not installed", allow_module_level=True)

FPS = 10


@pytest.fixture(scope="module")
def title_clip(tmp_path_factory):
    import av

    path = tmp_path_factory.mktemp("ocr") / "title.mp4"
    dark = np.full((360, 640, 3), 25, np.uint8)
    card = render("GRAND OPENING SATURDAY", 40, width=640, height=360)
    frames = [dark] * (2 * FPS) + [card] * (3 * FPS) + [dark] * (2 * FPS)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())
    return path


def test_the_title_card_is_read_with_its_times(title_clip, tiny_model_options, tiny_encoder):
    from vidclip.pipeline import Pipeline

    config = AnalysisConfig(model=tiny_model_options)
    # Not closed: the session's tiny encoder is shared with other tests.
    analysis = Pipeline(config, encoder=tiny_encoder).analyze(title_clip)
    [item] = analysis.on_screen_text
    assert item.text.replace(" ", "") == "GRANDOPENINGSATURDAY"
    assert abs(item.start_s - 2.0) <= 0.5 and abs(item.end_s - 5.0) <= 0.5
    assert analysis.text_reader.backend == "rapidocr" and analysis.text_reader.frames_read >= 1
    assert analysis.timings.text_s > 0
    described = " ".join(s.description or "" for s in analysis.scenes)
    assert "A title reads: Grand opening Saturday." in described
