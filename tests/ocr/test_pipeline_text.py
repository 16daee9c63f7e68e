"""A generated clip with a title card: the analysis reads it, with times, into the description."""

import numpy as np
import pytest

from tests.ocr.frames import FONT, render
from vidclip.config import AnalysisConfig

pytest.importorskip("rapidocr")
if not FONT.exists():
    pytest.skip("DejaVu fonts not installed", allow_module_level=True)

FPS = 10


def _write(path, frames):
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        container.mux(stream.encode())
    return path


@pytest.fixture(scope="module")
def title_clip(tmp_path_factory):
    dark = np.full((360, 640, 3), 25, np.uint8)
    card = render("GRAND OPENING SATURDAY", 40, width=640, height=360)
    frames = [dark] * (2 * FPS) + [card] * (3 * FPS) + [dark] * (2 * FPS)
    return _write(tmp_path_factory.mktemp("ocr") / "title.mp4", frames)


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


def test_reading_in_the_main_pass_gives_what_a_second_pass_gives(
        title_clip, tiny_model_options, tiny_encoder, monkeypatch):
    from vidclip.pipeline import Pipeline
    from vidclip.stages import encode, text

    config = AnalysisConfig(model=tiny_model_options)
    pipeline = Pipeline(config, encoder=tiny_encoder)
    again = pipeline.analyze(title_clip, caption=False)
    monkeypatch.setattr(encode, "PREVIEW_MIN_INPUT", 0)  # as for a 224-px model: PyAV, previews
    second_pass = []
    monkeypatch.setattr(text, "_look_again", lambda *a: second_pass.append(a) or ([], 0))
    shared = pipeline.analyze(title_clip, caption=False)
    assert shared.video.decoder == "pyav" and not second_pass
    assert [(i.text, i.start_s, i.end_s, i.kind) for i in shared.on_screen_text] == \
        [(i.text, i.start_s, i.end_s, i.kind) for i in again.on_screen_text]
    # Seven seconds looked at every half second, read only when the picture changed.
    assert 2 <= shared.text_reader.frames_read <= 4


def test_a_video_cancelled_mid_pass_stops_its_reader(title_clip, tiny_model_options,
                                                    tiny_encoder, monkeypatch):
    import threading

    from vidclip.control import Cancelled
    from vidclip.pipeline import Pipeline
    from vidclip.stages import encode

    monkeypatch.setattr(encode, "PREVIEW_MIN_INPUT", 0)
    monkeypatch.setattr(encode, "CHUNK_FRAMES", 8)  # several batches, so it stops part-way
    pipeline = Pipeline(AnalysisConfig(model=tiny_model_options), encoder=tiny_encoder)
    before = set(threading.enumerate())
    calls = []
    with pytest.raises(Cancelled):
        pipeline.analyze(title_clip, caption=False,
                         should_cancel=lambda: calls.append(1) or len(calls) > 2)
    left = [t for t in set(threading.enumerate()) - before
            if t.name == "vidclip-text" and t.is_alive()]
    assert not left
    assert pipeline.analyze(title_clip, caption=False).on_screen_text  # the next one reads


def test_a_card_shorter_than_the_looks_spacing_is_still_read(tmp_path, tiny_model_options,
                                                             tiny_encoder, monkeypatch):
    from vidclip.pipeline import Pipeline
    from vidclip.stages import encode

    dark = np.full((360, 640, 3), 25, np.uint8)
    card = render("NO PARKING", 48, width=640, height=360)
    # Looks every 2 s fall at 0, 2, 4 s: the card, 2.5-3.3 s, is between two.
    clip = _write(tmp_path / "short-card.mp4", [dark] * 25 + [card] * 8 + [dark] * 17)
    monkeypatch.setattr(encode, "PREVIEW_MIN_INPUT", 0)
    config = AnalysisConfig(model=tiny_model_options)
    analysis = Pipeline(config, encoder=tiny_encoder).analyze(clip, caption=False)
    [item] = analysis.on_screen_text
    assert item.text.replace(" ", "") == "NOPARKING"
    assert abs(item.start_s - 2.5) <= 0.15 and abs(item.end_s - 3.3) <= 0.15


def test_many_videos_decoded_at_once_each_read_in_their_own_pass(
        tmp_path, title_clip, tiny_model_options, tiny_encoder, monkeypatch):
    from vidclip.pipeline import Pipeline
    from vidclip.stages import encode, text

    monkeypatch.setattr(encode, "PREVIEW_MIN_INPUT", 0)
    second_pass = []
    monkeypatch.setattr(text, "_look_again", lambda *a: second_pass.append(a) or ([], 0))
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    sources = [("a", title_clip), ("bad", broken), ("b", title_clip), ("c", title_clip)]
    pipeline = Pipeline(AnalysisConfig(model=tiny_model_options), encoder=tiny_encoder)
    results = dict(pipeline.run_many(sources, decoders=3, caption=False))
    assert isinstance(results.pop("bad"), Exception)
    texts = {k: [(i.text, i.start_s, i.end_s) for i in r.analysis.on_screen_text]
             for k, r in results.items()}
    assert texts["a"] == texts["b"] == texts["c"] and len(texts["a"]) == 1
    assert not second_pass
