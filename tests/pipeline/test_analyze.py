"""The whole pipeline on synthetic clips with a tiny random-weight CLIP."""

import json

import jsonschema
import numpy as np
import pytest

from vidclip.pipeline import Cancelled
from vidclip.schema import SCHEMA_PATH


@pytest.fixture(scope="module")
def result(pipeline, clips):
    stages = []
    run = pipeline.run(clips.montage, progress=lambda stage, f: stages.append((stage, f)))
    return run, stages


def test_result_validates_against_the_published_schema(result):
    run, _ = result
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validate(json.loads(run.analysis.model_dump_json()), schema)


def test_scenes_cover_the_video_and_cuts_are_frame_accurate(result, clips):
    analysis = result[0].analysis
    scenes = analysis.scenes
    assert scenes[0].start_frame == 0 and scenes[0].start_s == 0.0
    assert scenes[-1].end_frame == clips.truth.frames
    assert scenes[-1].end_s == pytest.approx(analysis.video.duration_s, abs=1e-3)
    for a, b in zip(scenes, scenes[1:]):
        assert a.end_frame == b.start_frame and a.end_s == b.start_s
    starts = [s.start_frame for s in scenes[1:]]
    for cut in clips.truth.cuts:
        assert any(abs(s - cut) <= 1 for s in starts), (cut, starts)
    for first, last in clips.truth.gradual:
        assert any(first <= s <= last + 1 for s in starts), ((first, last), starts)
    assert len(starts) == len(clips.truth.cuts) + len(clips.truth.gradual)


def test_tags_moderation_captions_are_filled(result):
    run, stages = result
    a = run.analysis
    assert a.sampling.frames == len(run.embeddings) == 11
    assert np.allclose(np.linalg.norm(run.embeddings, axis=1), 1.0, atol=1e-4)
    assert all(0 <= t.score <= 1 for t in a.tags)
    assert {c.category for c in a.moderation.categories} >= {"violence", "weapons"}
    assert all(s.caption for s in a.scenes) and a.captions.summary
    assert a.captions.backend == "template"
    assert len(a.frames) == 11 and a.frames[1].time_s == pytest.approx(1.0)
    assert a.timings.total_s > 0 and a.model.kind == "custom"
    # how the tags were reported travels with them
    assert (a.vocabulary.threshold, a.vocabulary.top_k, a.vocabulary.merge_gap_s) == (0.5, 10, 1.0)
    assert {s for s, _ in stages} == {"decode", "encode", "segment", "tag", "moderate", "text",
                                     "speech",
                                     "caption"}


def test_counter_clip_is_one_scene(pipeline, clips):
    assert len(pipeline.analyze(clips.counter).scenes) == 1


def test_cancel_stops_the_video(pipeline, clips):
    with pytest.raises(Cancelled):
        pipeline.analyze(clips.montage, should_cancel=lambda: True)


def test_caption_stage_reruns_alone(pipeline, clips):
    bare = pipeline.analyze(clips.short, caption=False)
    assert bare.captions.backend == "none" and bare.scenes[0].caption is None
    captioned = pipeline.caption(bare)
    assert captioned.scenes[0].caption and captioned.captions.backend == "template"


def test_inline_labels_and_python_api(clips, tiny_model_options):
    import vidclip

    result = vidclip.analyze(
        clips.short,
        model=tiny_model_options.model_dump(),
        tags={"labels": ["red square", "blue circle"], "threshold": 0.0},
        moderation={"enabled": False},
    )
    assert result.vocabulary.labels == 2 and result.vocabulary.name == "inline"
    assert {t.label for t in result.tags} == {"red square", "blue circle"}
    assert result.moderation.policy == "disabled"


def test_a_scene_shorter_than_the_sampling_step_still_gets_a_frame(pipeline, tmp_path):
    from vidclip.testing import synthetic

    # shots of 30, 20 (0.8 s, between two 1 fps samples) and 30 frames
    path = tmp_path / "short_scene.mp4"
    synthetic.make_montage(path, [30, 20, 30], [("cut", 0), ("cut", 0)], seed=11)
    run = pipeline.run(path)
    assert [s.start_frame for s in run.analysis.scenes] == [0, 30, 50]
    assert sorted(run.indices.tolist()) == [0, 25, 39, 50, 75]
    for scene in run.analysis.scenes:
        assert any(scene.start_frame <= i < scene.end_frame for i in run.indices)


def test_previews_for_the_cut_detector_give_the_same_analysis(pipeline, clips, monkeypatch):
    from vidclip.stages import encode

    full = pipeline.run(clips.montage)
    monkeypatch.setattr(encode, "PREVIEW_MIN_INPUT", 0)  # as for a 224-px model
    small = pipeline.run(clips.montage)
    assert small.analysis.video.decoder == "pyav"
    assert [(s.start_frame, s.end_frame) for s in small.analysis.scenes] == \
        [(s.start_frame, s.end_frame) for s in full.analysis.scenes]
    assert small.indices.tolist() == full.indices.tolist()
    assert np.abs(small.embeddings - full.embeddings).max() < 0.05
