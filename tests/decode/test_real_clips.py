"""The real clips of ../shared/media: rotation, pixel aspect, delayed start, mkv."""

import numpy as np
import pytest

from vidclip.decode import SamplingSpec, open_video


def _first(path, backend="auto", short_side=224):
    with open_video(path, sampling=SamplingSpec("fps"), backend=backend,
                    short_side=short_side) as reader:
        batch = next(iter(reader))
        return batch, reader.info


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_rotated_clip_comes_out_upright(shared_media, backend):
    """issue-134-rotate.mp4 is coded 1280x544 with a -90 degree display matrix:
    players show it portrait, 544x1280, so must we."""
    batch, info = _first(shared_media / "issue-134-rotate.mp4", backend)
    assert (info.width, info.height, info.rotation) == (544, 1280, 90)
    assert batch.frames.shape[1:] == (528, 224, 3)


def test_rotation_is_the_same_turn_in_both_backends(shared_media):
    a, _ = _first(shared_media / "issue-134-rotate.mp4", "decord")
    b, _ = _first(shared_media / "issue-134-rotate.mp4", "pyav")
    same = np.abs(a.frames.astype(int) - b.frames.astype(int)).mean()
    flipped = np.abs(a.frames.astype(int) - b.frames[:, ::-1, ::-1].astype(int)).mean()
    assert same < 3 and flipped > 3 * same


def test_anamorphic_clip_has_display_aspect(shared_media):
    batch, info = _first(shared_media / "issue-195-aspect-ratio.mp4")
    assert (info.width, info.height) == (1024, 576)  # 704x576 with 16:11 pixels
    assert batch.frames.shape[1:] == (224, 398, 3)


def test_delayed_start_clip(shared_media):
    batch, info = _first(shared_media / "delayed_start.mp4")
    assert info.start_time_s == pytest.approx(1.075, abs=1e-3)
    assert batch.times_s[0] == pytest.approx(1.075, abs=1e-3)
    assert info.duration_s == pytest.approx(0.96, abs=0.05)


def test_mkv_opens_and_counts_frames(shared_media):
    with open_video(shared_media / "issue-236-split-copy.mkv") as reader:
        n = sum(len(b) for b in reader)
        assert n == 48 and reader.info.frame_count == 48


def test_testvideo_metadata(shared_media):
    _, info = _first(shared_media / "testvideo.mp4")
    assert info.frame_count == 720 and info.fps == pytest.approx(29.97, abs=0.01)
    assert info.duration_s == pytest.approx(24.02, abs=0.05)


@pytest.mark.parametrize("backend", ["decord", "pyav"])
def test_rotated_clip_is_its_coded_picture_turned_clockwise(shared_media, backend):
    """Independent of our own rotation code: PyAV's raw coded frame, turned a
    quarter clockwise, is what comes out; a counter-clockwise turn is not."""
    import av

    path = shared_media / "issue-134-rotate.mp4"
    with av.open(str(path)) as container:
        coded = next(container.decode(video=0)).to_ndarray(format="rgb24", width=528,
                                                            height=224)
    batch, _ = _first(path, backend)
    out = batch.frames[0].astype(int)
    clockwise = np.abs(out - np.rot90(coded, k=-1)).mean()
    counter_clockwise = np.abs(out - np.rot90(coded, k=1)).mean()
    assert clockwise < 3 and counter_clockwise > 5 * clockwise


@pytest.mark.parametrize("name", ["issue-236-split-copy.mkv", "issue-195-aspect-ratio.mp4"])
def test_backends_agree_on_real_clips(shared_media, name):
    def frames(backend):
        with open_video(shared_media / name, sampling=SamplingSpec("count", count=4),
                        backend=backend, full_rate=False, short_side=96) as reader:
            batches = list(reader)
            assert reader.info.decoder == backend
        return (np.concatenate([b.frames for b in batches]).astype(int),
                np.concatenate([b.times_s for b in batches]))

    (a, ta), (b, tb) = frames("decord"), frames("pyav")
    np.testing.assert_allclose(ta, tb, atol=1e-4)
    assert np.abs(a - b).mean() < 3


def test_mpeg4_clip_metadata(shared_media):
    _, info = _first(shared_media / "fades.mp4")
    assert (info.codec, info.width, info.height, info.frame_count) == ("mpeg4", 480, 320, 250)
    assert info.decoder == "decord" and info.fps == pytest.approx(25.0)


def test_full_hd_counter_clip(shared_media):
    with open_video(shared_media / "counter.mp4", sampling=SamplingSpec("all"),
                    short_side=90) as reader:
        batches = list(reader)
        info = reader.info
    times = np.concatenate([b.times_s for b in batches])
    assert (info.width, info.height, info.frame_count) == (1920, 1080, 30)
    assert batches[0].frames.shape[1:] == (90, 160, 3)
    np.testing.assert_allclose(times, np.arange(30) / 10, atol=1e-4)
