"""pocketsphinx round trip on espeak-ng speech, and a video with speech muxed in
through the whole pipeline (tiny CLIP model, on-screen text off)."""

from __future__ import annotations

import pytest

from tests.speech.conftest import SENTENCE, run
from vidclip.config import AnalysisConfig, SpeechOptions, TextOptions
from vidclip.speech.choose import choose_recognizer
from vidclip.speech.transcribe import transcribe_file

pytestmark = pytest.mark.slow


def test_pocketsphinx_finds_words_inside_the_speech(festival_speech):
    opts = SpeechOptions(backend="pocketsphinx")
    choice = choose_recognizer(opts)
    t = transcribe_file(str(festival_speech), opts, choice.recognizer, choice.backend)
    said = t.audio.duration_s - 3 - 3
    words = [w for s in t.segments for w in s.words]
    assert words, "something was recognised in the espeak sentence"
    assert all(2.5 <= w.start_s <= w.end_s <= 3.0 + said + 0.5 for w in words)
    found = {w.text for w in words} & set(SENTENCE.replace(".", "").split())
    assert len(found) >= 3, [w.text for w in words]
    assert t.language == "en" and t.backend == "pocketsphinx"
    assert t.sounds == []  # silence around the speech is not a sound


def test_video_with_speech_gets_transcript_and_caption_cues(media, tmp_path, tiny_model_options,
                                                            tiny_encoder):
    from vidclip.pipeline import Pipeline

    video = tmp_path / "talk.mp4"
    run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=14",
        "-i", str(media / "mix.wav"), "-c:v", "mpeg4", "-c:a", "aac", "-shortest", str(video))
    config = AnalysisConfig(model=tiny_model_options, text=TextOptions(backend="off"),
                            speech=SpeechOptions(backend="pocketsphinx"))
    with Pipeline(config, encoder=tiny_encoder) as pipeline:
        analysis = pipeline.analyze(video, caption=False)
    t = analysis.transcript
    assert t is not None and t.segments and t.audio.codec == "aac"
    assert analysis.timings.speech_s > 0
    track = analysis.caption_track
    assert track is not None and any(c.kind == "speech" for c in track.cues)
    assert any(c.kind == "sound" and "music" in c.text for c in track.cues)


def test_video_without_audio_says_why(tmp_path, tiny_model_options, tiny_encoder):
    from vidclip.pipeline import Pipeline

    video = tmp_path / "mute.mp4"
    run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=2",
        "-c:v", "mpeg4", str(video))
    config = AnalysisConfig(model=tiny_model_options, text=TextOptions(backend="off"))
    with Pipeline(config, encoder=tiny_encoder) as pipeline:
        analysis = pipeline.analyze(video, caption=False)
    assert analysis.transcript is None
    assert [s.reason for s in analysis.skipped if s.part == "transcript"] == [
        "the file has no audio stream"]


def test_audio_only_file_gets_transcript_and_empty_visual_parts(media, tiny_model_options,
                                                                tiny_encoder):
    from vidclip.pipeline import Pipeline

    config = AnalysisConfig(model=tiny_model_options, text=TextOptions(backend="off"),
                            speech=SpeechOptions(backend="pocketsphinx"))
    with Pipeline(config, encoder=tiny_encoder) as pipeline:
        analysis = pipeline.analyze(media / "mix.wav", caption=False)
    assert analysis.scenes == [] and analysis.video.width == 0
    assert "audio only" in analysis.video.decoder_note
    assert [s.part for s in analysis.skipped] == ["visual"]
    assert analysis.transcript.segments and analysis.caption_track.cues
