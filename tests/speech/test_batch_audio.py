"""Audio-only files in a batch: ``Pipeline.run_many`` (shared encoder batches) and
``vidclip batch`` give a wav beside a video its transcript and captions, as
``vidclip analyze`` does, instead of failing it for having no video stream."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.speech.conftest import run
from vidclip.config import AnalysisConfig, SpeechOptions, TextOptions

pytestmark = pytest.mark.slow


@pytest.fixture
def video(tmp_path):
    path = tmp_path / "shots.mp4"
    run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=3",
        "-c:v", "mpeg4", str(path))
    return path


def test_run_many_hears_an_audio_only_file_beside_a_video(media, video, tiny_model_options,
                                                          tiny_encoder):
    from vidclip.pipeline import Pipeline

    config = AnalysisConfig(model=tiny_model_options, text=TextOptions(backend="off"),
                            speech=SpeechOptions(backend="pocketsphinx"))
    with Pipeline(config, encoder=tiny_encoder) as pipeline:
        outcomes = dict(pipeline.run_many([("video", video), ("said", media / "said.wav")],
                                          caption=False))
        alone = pipeline.analyze(media / "said.wav", caption=False)
    assert not isinstance(outcomes["said"], Exception), outcomes["said"]
    assert not isinstance(outcomes["video"], Exception), outcomes["video"]
    heard = outcomes["said"].analysis
    assert heard.scenes == [] and heard.video.frame_count == 0
    assert [s.part for s in heard.skipped] == ["visual"]
    assert heard.transcript is not None and heard.transcript.segments
    assert heard.caption_track is not None and heard.caption_track.cues
    # What analyze gives the same file, word for word.
    assert [s.text for s in heard.transcript.segments] == \
        [s.text for s in alone.transcript.segments]
    assert heard.caption_track.cues == alone.caption_track.cues
    seen = outcomes["video"].analysis
    assert seen.scenes and seen.transcript is None  # the video has no audio: nothing to hear


def test_vidclip_batch_writes_captions_for_a_wav_beside_a_video(media, video, tmp_path):
    from click.testing import CliRunner

    from vidclip._cli.main import cli

    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copy(video, archive / "shots.mp4")
    shutil.copy(media / "said.wav", archive / "said.wav")
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["batch", str(archive), "-o", str(out), "--model",
                                   "tiny-test", "--speech", "pocketsphinx", "--text", "off",
                                   "-q"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "batch-summary.json").read_text())
    assert (summary["done"], summary["failed"]) == (2, 0), summary
    result = json.loads((out / "said.json").read_text())
    assert result["transcript"]["segments"] and result["video"]["frame_count"] == 0
    assert "-->" in (out / "said.captions.vtt").read_text()
    assert not (out / "shots.captions.vtt").exists()  # no audio, no caption files
    # Speech off: an audio-only file has nothing to analyse, so it is not taken.
    quiet = tmp_path / "quiet"
    res = CliRunner().invoke(cli, ["batch", str(archive), "-o", str(quiet), "--model",
                                   "tiny-test", "--speech", "off", "--text", "off", "-q"])
    assert res.exit_code == 0, res.output
    items = json.loads((quiet / "batch-summary.json").read_text())["items"]
    assert [i["source"].rsplit("/", 1)[-1] for i in items] == ["shots.mp4"]
