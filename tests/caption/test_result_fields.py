"""What the result JSON says about each caption: who wrote it and why it was
replaced, through the whole pipeline with the openai backend on a local server."""

from __future__ import annotations

import pytest

from tests.caption.evidence import openai_options
from vidclip.config import AnalysisConfig
from vidclip.pipeline import Pipeline
from vidclip.testing.synthetic import make_montage

pytest.importorskip("openai")


def test_each_caption_records_its_source_and_a_rejection_says_why(script_server, tmp_path):
    clip = tmp_path / "two.mp4"
    make_montage(clip, [25, 25], [("cut", 0)], size=(160, 96), write_truth=False)
    captions = openai_options(script_server.base_url, max_concurrency=1, descriptions=False)
    config = AnalysisConfig.model_validate({
        "model": {"name": "tiny-test"}, "moderation": {"enabled": False},
        "tags": {"labels": ["cat", "dog"], "threshold": 0.0},
        "captions": {**captions.model_dump(), "hedge_below": 0.0}})  # random scores: no hedges
    # Scene 0: harm no tag shows, twice (first try and the stricter retry); scene 1: fine.
    script_server.script.extend(["A sheep is being slaughtered.", "A sheep is being slaughtered.",
                                 "A dog and a cat are seen.", "A dog and a cat can be seen."])
    with Pipeline(config) as pipeline:
        result = pipeline.analyze(clip)
    first, second = result.scenes
    assert first.caption_grounded is False and "slaughtered" in first.caption_note
    assert first.caption_source.backend == "template" and "slaughter" not in first.caption
    assert second.caption == "A dog and a cat are seen." and second.caption_grounded is True
    assert second.caption_source.backend == "openai"
    assert second.caption_source.prompt.startswith("scene_caption@")
    assert second.description_source == second.caption_source  # captions double as descriptions
    assert result.captions.summary == "A dog and a cat can be seen."
    assert result.captions.summary_source.prompt.startswith("summary@")
    # Machine-written, every one of them, until a person reviews it.
    texts = [(s.caption, s.caption_review) for s in result.scenes] + \
        [(s.description, s.description_review) for s in result.scenes] + \
        [(result.captions.summary, result.captions.summary_review)]
    assert all(text and review.status == "unreviewed" and review.reviewed_by is None
               for text, review in texts)
    assert result.model_dump(mode="json")["captions"]["summary_review"] == {
        "status": "unreviewed", "reviewed_by": None, "reviewed_at": None}
