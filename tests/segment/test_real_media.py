"""Through real encoding and decoding: synthetic clips, and PySceneDetect's test clips."""

from pathlib import Path

import pytest

from vidclip.config import SceneOptions
from vidclip.segment import SceneDetector
from vidclip.segment.evaluate import boundary_prf

decode = pytest.importorskip("vidclip.decode", reason="vidclip.decode is not available")


def detect(path: Path, options: SceneOptions | None = None):
    from vidclip.decode.types import SamplingSpec

    with decode.open_video(str(path), sampling=SamplingSpec("fps", 1.0), short_side=224,
                           full_rate=True) as reader:  # fmt: skip
        detector = SceneDetector(options, fps_hint=reader.info.fps or None)
        for batch in reader:
            detector.observe(batch)
        duration = reader.info.start_time_s + reader.info.duration_s
    return detector.finish(total_frames=detector.frames_seen, duration_s=duration)


def starts(scenes) -> list[int]:
    return [s.start_frame for s in scenes[1:]]


def test_synthetic_montage_round_trip(clips):
    truth = clips.truth
    gradual = [(first, last + 1) for first, last in truth.gradual]  # inclusive -> [start, end)
    scenes = detect(clips.montage)
    assert boundary_prf(starts(scenes), truth.cuts, gradual, tolerance=1)[2] == 1.0
    assert scenes[-1].end_frame == truth.frames


def test_synthetic_counter_is_one_scene(clips):
    assert len(detect(clips.counter)) == 1


def test_testvideo_cuts_and_fades(shared_media):
    found = starts(detect(shared_media / "testvideo.mp4"))
    for cut in (30, 180):  # hard cuts: frame-exact
        assert cut in found, found
    # PySceneDetect's AdaptiveDetector golden list is 30, 180, 394, 691: 394 is where a
    # fade-in leaves a long black, 691 the end of the closing fade-out.
    assert 394 in found
    assert any(abs(f - 691) <= 3 for f in found)
    # The other transitions, labelled by hand from the luma trace: a fade-in, a
    # fade-out into a 1.1 s black, and a dissolve, each found once and inside.
    gradual = [(211, 241), (331, 361), (394, 424), (529, 559), (664, 693)]
    assert boundary_prf(found, [30, 180], gradual)[2] == 1.0


def test_counter_clip_cuts_only_where_the_background_changes(shared_media):
    """PySceneDetect's counter.mp4 ticks a number on every frame (no cut), but its
    background also turns from grey to red at frame 10 and to green at frame 20:
    those two are real full-frame changes, the ticking number is not."""
    scenes = detect(shared_media / "counter.mp4")
    assert starts(scenes) == [10, 20]
    assert all(s.transition == "cut" for s in scenes[1:])


def test_fades_clip_splits_on_the_black(shared_media):
    scenes = detect(shared_media / "fades.mp4")
    assert [s.transition for s in scenes[1:]] == ["gradual", "gradual"]
    assert [abs(a - b) <= 3 for a, b in zip(starts(scenes), (84, 167))] == [True, True]
