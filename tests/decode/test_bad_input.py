"""Each kind of bad input ends in its own clear, one-line error (or a note)."""

import pytest

from vidclip import errors
from vidclip.decode import open_video
from vidclip.testing import synthetic


def _decode_all(path):
    with open_video(path) as reader:
        n = sum(len(b) for b in reader)
        return n, reader.info


def _one_line(exc):
    assert "\n" not in exc.message and len(exc.message) < 300
    return exc.message


def test_missing_path(tmp_path):
    with pytest.raises(errors.NotFoundError) as info:
        open_video(tmp_path / "nope.mp4")
    assert "no such file" in _one_line(info.value)


def test_directory(tmp_path):
    with pytest.raises(errors.InputError, match="is a directory"):
        open_video(tmp_path)


def test_zero_byte_file(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    with pytest.raises(errors.InputError, match="empty"):
        open_video(tmp_path / "empty.mp4")


def test_text_file_named_mp4(tmp_path):
    (tmp_path / "notes.mp4").write_text("these are meeting notes, not a video\n" * 50)
    with pytest.raises(errors.InputError) as info:
        open_video(tmp_path / "notes.mp4")
    assert "not a video file" in _one_line(info.value)


def test_truncated_mp4_without_its_index(clips, tmp_path):
    path = synthetic.truncate(clips.montage, tmp_path / "cut.mp4", keep=0.4)
    with pytest.raises(errors.InputError) as info:
        open_video(path)
    assert "truncated" in _one_line(info.value)


def test_truncated_faststart_mp4_decodes_what_is_there(tmp_path):
    full = synthetic.write_video(tmp_path / "fs.mp4", synthetic.shot_frames(100),
                                 container_options={"movflags": "faststart"})
    n, info = _decode_all(synthetic.truncate(full, tmp_path / "fs_cut.mp4", keep=0.5))
    assert 10 < n < 100 and info.frame_count == n
    assert "truncated" in info.decoder_note and info.duration_s < 3.9


def test_audio_only_file(tmp_path):
    path = synthetic.make_audio_only(tmp_path / "voice.m4a")
    with pytest.raises(errors.NoVideoStreamError) as info:
        open_video(path)
    assert "no video stream" in _one_line(info.value) and "audio" in info.value.message


def test_corrupt_frames_are_skipped_not_fatal(clips, tmp_path):
    path = synthetic.corrupt_middle(clips.montage, tmp_path / "corrupt.mp4", fraction=0.1)
    n, info = _decode_all(path)
    assert 0 < n <= clips.truth.frames
    assert info.decoder_note


def test_absurd_resolution_is_refused_before_decoding(tmp_path):
    path = synthetic.make_huge_resolution(tmp_path / "huge.mkv")
    with pytest.raises(errors.UnsupportedVideoError) as info:
        open_video(path)
    assert "20000x2" in _one_line(info.value)


def test_a_damaged_opening_is_skipped_up_to_the_first_good_frame(tmp_path):
    import av
    import numpy as np

    path = synthetic.write_video(tmp_path / "a.mp4", synthetic.shot_frames(50), gop=10,
                                 container_options={"movflags": "faststart"})
    with av.open(str(path)) as container:
        first = next(p for p in container.demux(video=0) if p.size)  # the first key frame
    data = bytearray(path.read_bytes())
    data[first.pos + 20 : first.pos + first.size - 10] = bytes(first.size - 30)
    (tmp_path / "b.mp4").write_bytes(bytes(data))
    with open_video(tmp_path / "b.mp4") as reader:
        times = np.concatenate([b.times_s for b in reader])
        info = reader.info
    assert times[0] == pytest.approx(0.4) and info.start_time_s == pytest.approx(0.4)
    assert len(times) == 40 and info.decoder == "pyav"
    assert info.duration_s == pytest.approx(1.6, abs=0.05)  # from the first good frame
    assert "first decodable" in info.decoder_note


def test_extreme_aspect_is_refused(tmp_path):
    import numpy as np

    path = synthetic.write_video(tmp_path / "strip.mkv", np.zeros((2, 16, 400, 3), np.uint8),
                                 codec="ffv1")
    with pytest.raises(errors.UnsupportedVideoError) as info:
        open_video(path)
    assert "400x16" in _one_line(info.value)
