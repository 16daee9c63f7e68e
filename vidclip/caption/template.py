"""The ``template`` captioner: deterministic sentences from the tags alone.

It needs no model and cannot invent anything: every noun it writes is a tag
of that scene. Confidence shows in the wording -- "shows" for strong
evidence, "appears to show" for tags scored below ``captions.hedge_below``
(the threshold the language-model captioners hedge at too). Where the first
thing said in a scene is short, it is quoted as said ("Someone says: ...").
English only.
"""

from __future__ import annotations

from vidclip.caption.base import (
    Captioner,
    CaptionRequest,
    CaptionResult,
    SceneCaption,
    SceneEvidence,
)
from vidclip.caption.grounding import HEDGE_BELOW
from vidclip.english import join_words, with_article
from vidclip.schema import LabelScore, TextSource

_MAX_TAGS = 3
#: A line of speech is quoted in a template caption when it is at most this long.
MAX_QUOTED_WORDS = 10


def clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def describe(tags: tuple[LabelScore, ...] | list[LabelScore],
             hedge_below: float = HEDGE_BELOW) -> str:
    """A clause for the best tags, hedged where the evidence is weak."""
    strong = [with_article(t.label) for t in tags[:_MAX_TAGS] if t.score >= hedge_below]
    weak = [with_article(t.label) for t in tags[:_MAX_TAGS] if t.score < hedge_below]
    parts = []
    if strong:
        parts.append("shows " + join_words(strong))
    if weak:
        parts.append(("and appears to show " if strong else "appears to show ") + join_words(weak))
    return " ".join(parts)


def speech_sentence(lines: tuple[str, ...]) -> str:
    """``Someone says: "..."`` for the first line said, when it is short; else empty."""
    line = " ".join(lines[0].split()).strip(" \"'") if lines else ""
    if not line or len(line.split()) > MAX_QUOTED_WORDS:
        return ""
    if line[-1] not in ".!?":
        line += "."
    return f'Someone says: "{line}"'


def flag_sentence(categories: tuple[str, ...] | list[str], summary: bool = False) -> str:
    """How every captioner names flagged categories: by category, as a warning."""
    if not categories:
        return ""
    what = "moderation review" if summary else "review"
    return f"Flagged for {what}: " + join_words([c.replace("_", " ") for c in categories]) + "."


class TemplateCaptioner(Captioner):
    name = "template"
    prompt = "template@1"

    def __init__(self, hedge_below: float = HEDGE_BELOW):
        self.hedge_below = hedge_below

    def caption_scene(self, scene: SceneEvidence, *, speech: bool = True) -> str:
        """The scene's caption; ``speech=False`` leaves what is said out (the audio
        description: a listener hears the dialogue itself)."""
        if not scene.tags:
            text = "No confidently recognised content."
        else:
            text = "The scene " + describe(scene.tags, self.hedge_below) + "."
        said = speech_sentence(scene.spoken_lines) if speech else ""
        if said:
            text += " " + said
        if scene.flagged_categories:
            text += " " + flag_sentence(scene.flagged_categories)
        return text

    def summary(self, request: CaptionRequest) -> str:
        n = len(request.scenes)
        length = clock(request.duration_s)
        head = f"A {length} video in {n} scene{'s' if n != 1 else ''}"
        if request.video_tags:
            head += " that " + describe(request.video_tags, self.hedge_below)
        text = head + "."
        if request.flagged_categories:
            text += " " + flag_sentence(request.flagged_categories, summary=True)
        return text

    def caption(self, request: CaptionRequest) -> CaptionResult:
        source = TextSource(backend=self.name, model=None, prompt=self.prompt)
        scenes = [SceneCaption(s.index, self.caption_scene(s), source=source)
                  for s in request.scenes]
        # Captions that quote speech do not double as audio descriptions.
        descriptions = [SceneCaption(s.index, self.caption_scene(s, speech=False), source=source)
                        for s in request.scenes] if any(s.spoken_lines for s in request.scenes
                                                       ) else []
        fallback = None
        if not request.language.lower().startswith("en"):
            fallback = ("the template captioner writes English only "
                        f"(asked for {request.language!r})")
        return CaptionResult(
            scenes=scenes,
            summary=self.summary(request),
            backend=self.name,
            model=None,
            prompt=self.prompt,
            language="en",
            fallback_reason=fallback,
            summary_source=source,
            descriptions=descriptions,
        )
