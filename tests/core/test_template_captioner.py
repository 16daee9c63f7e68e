from vidclip.caption.base import CaptionRequest, SceneEvidence
from vidclip.caption.template import TemplateCaptioner, with_article
from vidclip.schema import LabelScore


def _request(language="en"):
    scenes = (
        SceneEvidence(0, 0.0, 4.0, (LabelScore(label="dog", score=0.93),
                                    LabelScore(label="beach", score=0.62))),
        SceneEvidence(1, 4.0, 9.0, ()),
        SceneEvidence(2, 9.0, 12.0, (LabelScore(label="handgun", score=0.81),),
                      flagged_categories=("weapons",)),
    )
    return CaptionRequest(scenes=scenes, video_tags=(LabelScore(label="dog", score=0.93),),
                          duration_s=12.0, language=language, flagged_categories=("weapons",))


def test_captions_use_only_the_evidence_and_hedge_weak_tags():
    result = TemplateCaptioner().caption(_request())
    first, empty, flagged = (s.text for s in result.scenes)
    assert first == "The scene shows a dog and appears to show a beach."
    assert empty == "No confidently recognised content."
    assert "Flagged for review: weapons." in flagged
    assert result.summary.startswith("A 0:12 video in 3 scenes that shows a dog.")
    assert result.backend == "template" and result.fallback_reason is None


def test_template_says_it_writes_english_only():
    result = TemplateCaptioner().caption(_request(language="fr"))
    assert result.language == "en"
    assert "English only" in result.fallback_reason


def test_articles():
    assert with_article("owl") == "an owl"
    assert with_article("people dancing") == "people dancing"
    assert with_article("cars") == "cars"
    assert with_article("snow") == "snow"
    assert with_article("running") == "running"
