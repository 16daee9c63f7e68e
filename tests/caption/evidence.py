"""Caption requests with known evidence, shared by the caption tests."""

from __future__ import annotations

from vidclip.caption.base import CaptionRequest, CaptionResult, SceneEvidence
from vidclip.caption.content import check_content, support
from vidclip.config import CaptionOptions
from vidclip.schema import LabelScore

VOCABULARY = ("dog", "cat", "beach", "ball", "city", "street", "car", "night", "kitchen",
              "person", "knife", "sofa", "grass", "hot dog", "bicycle")


#: The labels above that the default vocabulary files under places (scenes_places).
PLACES = frozenset({"beach", "city", "street", "kitchen"})


def tags(**scores: float) -> tuple[LabelScore, ...]:
    return tuple(LabelScore(label=k.replace("_", " "), score=v) for k, v in scores.items())


def sample_request(language: str = "en", flagged: tuple[str, ...] = (),
                   scenes: int = 3) -> CaptionRequest:
    """Up to three scenes: a dog on a beach, a city street (low-score tags), a kitchen."""
    evidence = (
        SceneEvidence(0, 0.0, 6.0, tags(dog=0.92, beach=0.85, ball=0.55)),
        SceneEvidence(1, 6.0, 14.0, tags(city=0.9, street=0.82, car=0.7, night=0.52)),
        SceneEvidence(2, 14.0, 20.0, tags(kitchen=0.88, person=0.75), flagged),
    )[:scenes]
    video_tags = tags(dog=0.8, city=0.7, kitchen=0.6)[:scenes]
    return CaptionRequest(
        scenes=evidence,
        video_tags=video_tags,
        duration_s=evidence[-1].end_s,
        language=language,
        flagged_categories=flagged,
        vocabulary=VOCABULARY,
        places=PLACES,
    )


def openai_options(base_url: str, **options) -> CaptionOptions:
    """Options of an ``openai`` captioner pointed at a test server: quick retries."""
    defaults = {"base_url": base_url, "model": "smollm2-135m", "timeout": 30.0,
                "backoff_s": 0.01, "max_backoff_s": 0.05}
    return CaptionOptions(backend="openai", options={**defaults, **options})


def untraced_words(result: CaptionResult, request: CaptionRequest) -> list[str]:
    """Content words of the shipped captions, descriptions and summary that no tag
    supports (flag sentences, fixed template text, left out)."""
    by_index = {s.index: s for s in request.scenes}
    found: list[str] = []

    def judge(text: str, labels) -> None:
        text = text.split(" Flagged for ")[0]
        found.extend(check_content(text, support(labels, request.aliases,
                                                 request.places)).untraceable)

    for caption in result.scenes:
        judge(caption.text, [t.label for t in by_index[caption.index].tags])
    for described in result.descriptions:
        judge(described.text, [t.label for t in by_index[described.index].tags])
    judge(result.summary, [t.label for t in request.video_tags] +
          [t.label for s in request.scenes for t in s.tags])
    return found
