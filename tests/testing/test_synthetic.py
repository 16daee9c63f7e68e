"""The synthetic media say what they hold: read back with PyAV directly."""

import json
from fractions import Fraction

import av
import numpy as np
import pytest

from vidclip.testing import synthetic


def _read(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [(f.to_ndarray(format="rgb24"), f.time, f.key_frame, f.rotation)
                  for f in container.decode(stream)]
        sar = stream.codec_context.sample_aspect_ratio
    rgb, times, keys, rotations = zip(*frames)
    return np.stack(rgb), list(times), list(keys), rotations[0], sar


def _step(frames):
    """Mean absolute change from each frame to the next."""
    return np.abs(np.diff(frames.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))


@pytest.mark.parametrize("motion", ["pan", "zoom", "still"])
def test_a_shot_moves_a_little_and_shots_differ_a_lot(motion):
    shot = synthetic.shot_frames(20, (160, 90), seed=1, motion=motion)
    other = synthetic.shot_frames(20, (160, 90), seed=2, motion=motion)
    assert shot.shape == (20, 90, 160, 3) and shot.dtype == np.uint8
    assert _step(shot).max() < 8
    assert np.abs(shot[-1].astype(int) - other[0]).mean() > 20


def test_write_video_round_trip(tmp_path):
    frames = synthetic.shot_frames(12, (160, 90), seed=1)
    rgb, times, keys, rotation, _ = _read(
        synthetic.write_video(tmp_path / "a.mp4", frames, 25.0, gop=5))
    assert rgb.shape == frames.shape
    assert np.abs(rgb.astype(int) - frames).mean() < 6  # lossy, but the same picture
    assert times == pytest.approx([i / 25 for i in range(12)])
    assert np.flatnonzero(keys).tolist() == [0, 5, 10] and rotation == 0


def test_variable_rate_and_delayed_start_times(tmp_path):
    stamps = [0.5, 0.54, 0.9, 1.0, 1.7]
    path = synthetic.write_video(tmp_path / "vfr.mkv", synthetic.shot_frames(5, (64, 48)),
                                 times_s=stamps)
    assert _read(path)[1] == pytest.approx(stamps)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotation_is_written_as_a_display_matrix(tmp_path, rotation):
    path = synthetic.write_video(tmp_path / "r.mp4", synthetic.orientation_frames(3),
                                 rotation=rotation)
    # FFmpeg reports the matrix angle counter-clockwise.
    assert (-_read(path)[3]) % 360 == rotation


@pytest.mark.parametrize("codec,suffix", [("libx264", "mp4"), ("mpeg4", "mkv")])
def test_pixel_aspect_is_written(tmp_path, codec, suffix):
    path = synthetic.write_video(tmp_path / f"sar.{suffix}", synthetic.shot_frames(3, (160, 96)),
                                 codec=codec, sample_aspect_ratio=Fraction(16, 11))
    assert _read(path)[4] == Fraction(16, 11)


def test_montage_truth_matches_its_pictures(tmp_path):
    path = tmp_path / "m.mp4"
    truth = synthetic.make_montage(path, [30, 25, 30, 20], [("cut", 0), ("dissolve", 6),
                                   ("fade", 4)], size=(160, 90), seed=2)
    assert truth.frames == 30 + 25 + 30 + 20 - 6
    assert truth.cuts == [30] and truth.gradual == [(49, 54), (75, 82)]
    assert json.loads(path.with_suffix(".truth.json").read_text())["cuts"] == [30]
    rgb = _read(path)[0]
    assert len(rgb) == truth.frames
    step = _step(rgb)  # step[i] is the change from frame i to i + 1
    assert step[truth.cuts[0] - 1] > 20
    inside = np.ones(len(step), bool)
    inside[[c - 1 for c in truth.cuts]] = False
    for first, last in truth.gradual:
        inside[first - 1 : last + 1] = False
    assert step[inside].max() < 10
    dark = rgb[78:80].mean()  # the bottom of the fade
    assert dark < 0.3 * rgb[70].mean()


def test_montage_rejects_a_wrong_transition_list():
    with pytest.raises(ValueError):
        synthetic.montage_frames([10, 10], [])
    with pytest.raises(ValueError):
        synthetic.montage_frames([10, 10], [("wipe", 3)])


def test_counter_changes_every_frame_and_never_cuts():
    frames = synthetic.counter_frames(30, (160, 90))
    step = _step(frames)
    assert step.min() > 0.2 and step.max() < 10


def test_bad_inputs_are_what_they_say(tmp_path):
    assert synthetic.make_empty(tmp_path / "e.mp4").stat().st_size == 0
    assert synthetic.make_text_file(tmp_path / "t.mp4").read_bytes().startswith(b"meeting")
    with av.open(str(synthetic.make_audio_only(tmp_path / "a.m4a"))) as container:
        assert container.streams.audio and not container.streams.video
    good = synthetic.write_video(tmp_path / "g.mp4", synthetic.shot_frames(20, (64, 48)))
    cut = synthetic.truncate(good, tmp_path / "cut.mp4", keep=0.5)
    assert cut.stat().st_size == good.stat().st_size // 2
    bad = synthetic.corrupt_middle(good, tmp_path / "bad.mp4", fraction=0.1)
    a, b = np.frombuffer(good.read_bytes(), np.uint8), np.frombuffer(bad.read_bytes(), np.uint8)
    changed = np.flatnonzero(a != b)
    assert len(a) == len(b) and len(a) * 0.3 < changed[0] and changed[-1] < len(a) * 0.7
    with av.open(str(synthetic.make_huge_resolution(tmp_path / "huge.mkv"))) as container:
        assert container.streams.video[0].codec_context.width == 20_000
