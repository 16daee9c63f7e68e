"""What every language-model captioner shares: prompts, grounding, fallback.

A backend (``openai``, ``transformers``) only says how to turn one
:class:`RenderedPrompt` into text (:meth:`LLMCaptioner.generate`). This
module runs the rest for a :class:`CaptionRequest`:

1. per scene, with at most ``max_concurrency`` scenes in flight: render the
   caption prompt from the evidence, generate, check grounding; on a
   rejection retry once with the template's ``[strict]`` text; if that fails
   too, use the template captioner's caption (``grounded=False``, note why);
   then the same for the audio description (falling back to the caption);
2. the summary, from the final scene captions and the video's tags, checked
   against every tag of the video, with the same retry and fallback.

When the backend is unreachable (:class:`BackendUnavailable`: timeout,
retries exhausted, refused), the scene in hand and every later one use the
template captioner, so a dead endpoint costs one timeout, not one per scene.
The job never fails because a language model is down; the result's
``fallback_reason`` says what happened.
"""

from __future__ import annotations

import re
import threading
from abc import abstractmethod
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vidclip.caption import checks, grounding, reported
from vidclip.caption.base import (
    Captioner,
    CaptionRequest,
    CaptionResult,
    GenerationStats,
    SceneCaption,
    SceneEvidence,
)
from vidclip.caption.prompts import PromptTemplate, RenderedPrompt, load_prompt
from vidclip.caption.template import TemplateCaptioner, clock, flag_sentence
from vidclip.errors import ConfigError, ModelError
from vidclip.schema import TextSource

#: Scenes listed in the summary prompt; later ones are left out to bound its size.
MAX_SUMMARY_SCENES = 40
#: Characters of what is said (and, apart, written) a prompt carries.
MAX_WORDS_CHARS = 300
_MAX_CHARS = 400
_FLAG_SENTENCE = re.compile(r"\s*Flagged for (?:moderation )?review:.*$")

_LANGUAGES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "pl": "Polish", "ru": "Russian",
    "uk": "Ukrainian", "tr": "Turkish", "ar": "Arabic", "hi": "Hindi", "ja": "Japanese",
    "ko": "Korean", "zh": "Chinese",
}


class BackendUnavailable(ModelError):
    """The language model did not answer usably (timeout, overload, refusal)."""

    code = "caption_backend_unavailable"
    retryable = True


class LLMSettings(BaseModel):
    """Options every language-model backend takes (``captions.options``)."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(default=0.0, ge=0.0, le=2.0,
                               description="0 is greedy: repeatable captions.")
    max_tokens: int | None = Field(default=None, ge=1, le=2048,
                                   description="Per answer; default: the prompt template's.")
    descriptions: bool = Field(default=True, description="Write audio descriptions with their "
                               "own prompt (False: the captions double as descriptions).")
    prompts_dir: str | None = Field(default=None, description="Folder of prompt templates.")
    caption_prompt: str = "scene_caption"
    summary_prompt: str = "summary"
    description_prompt: str = "audio_description"


def parse_settings(cls: type[BaseModel], options: dict, backend: str):
    """Validate ``captions.options`` for ``backend``; one-sentence ConfigError."""
    try:
        return cls.model_validate({k: v for k, v in options.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "options"
        raise ConfigError(f"caption option {where!r} for the {backend} captioner: "
                          f"{err['msg']}") from None


@dataclass
class Generation:
    text: str
    tokens: int | None = None
    seconds: float = 0.0
    #: Stopped by the token budget rather than a stop sequence or end of text.
    truncated: bool = False


def clean_output(text: str, truncated: bool = False) -> str:
    """The first line of an answer, without echoed labels, quotes or runaway text."""
    line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    line = re.split(r"\b(?:Tags|Time|Flags|Scenes)\s*[:(]", line)[0]
    line = re.sub(r"^\s*(?:Caption|Description|Summary)\s*:\s*", "", line, flags=re.I)
    line = _unquoted(" ".join(line.split()))
    if len(line) > _MAX_CHARS:
        line, truncated = line[:_MAX_CHARS], True
    if not line or re.search(r"[.!?][\"'\u201d]?$", line):
        return line
    if truncated:
        ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", line)]
        return line[:ends[-1]] if ends else line.rstrip(",;: ") + "\u2026"
    return line + "."


def _unquoted(line: str) -> str:
    """The line without quotes wrapped round it or left unpaired at its ends; a
    quotation inside it ('Someone says: "Stop."') keeps its marks."""
    line = line.strip(" `")
    for mark in "\"'":
        if len(line) > 1 and line[0] == mark and line[-1] == mark:
            line = line[1:-1].strip()
        elif line.count(mark) % 2 and (line.startswith(mark) or line.endswith(mark)):
            line = line.strip(mark).strip()
    return line


def quality_problem(text: str) -> str | None:
    """Why cleaned model text is unusable whatever its grounding, or None."""
    if not text:
        return "was empty"
    if text.endswith("\u2026"):
        return "was cut off by the token limit"
    words = re.findall(r"\w+", text.lower())
    grams = [tuple(words[i:i + 4]) for i in range(len(words) - 3)]
    if grams and max(grams.count(g) for g in set(grams)) >= 3:
        return "repeated itself"
    return None


def language_name(code: str) -> str:
    return _LANGUAGES.get(code.lower().split("-")[0], code)


def _flag_names(categories: tuple[str, ...]) -> list[str]:
    return [c.replace("_", " ") for c in categories]


def words_lines(said: tuple[str, ...], written: tuple[str, ...]) -> dict[str, str]:
    """The prompt's ``Said:`` and ``On screen:`` lines (empty without words), bounded."""
    def line(name: str, texts: tuple[str, ...]) -> str:
        joined = " / ".join(" ".join(t.split()) for t in texts if t.strip())
        if len(joined) > MAX_WORDS_CHARS:
            joined = joined[:MAX_WORDS_CHARS].rsplit(" ", 1)[0] + " \u2026"
        return f"{name}: {joined}\n" if joined else ""

    return {"speech_line": line("Said", said), "text_line": line("On screen", written)}


def _flags_line(categories: tuple[str, ...]) -> str:
    if not categories:
        return ""
    return f"Flags (warning only, do not describe): {', '.join(_flag_names(categories))}\n"


class LLMCaptioner(Captioner):
    """Base of the language-model captioners; subclasses implement :meth:`generate`."""

    max_concurrency: int = 1

    def __init__(self, settings: LLMSettings, hedge_below: float = grounding.HEDGE_BELOW):
        self.settings = settings
        #: ``captions.hedge_below``: shared with the template captioner it falls back to.
        self.hedge_below = hedge_below
        self._prompts: dict[str, PromptTemplate] = {}

    @property
    @abstractmethod
    def model_name(self) -> str: ...

    @abstractmethod
    def generate(self, prompt: RenderedPrompt) -> Generation:
        """One answer; raise :class:`BackendUnavailable` when the model cannot answer."""

    def prompt(self, kind: str) -> PromptTemplate:
        if kind not in self._prompts:
            ref = getattr(self.settings, f"{kind}_prompt")
            name, _, version = ref.partition("@")
            if version and not version.isdigit():
                raise ConfigError(f"prompt {ref!r} must look like name or name@version")
            self._prompts[kind] = load_prompt(name, int(version) if version else None,
                                              self.settings.prompts_dir)
        return self._prompts[kind]

    def setup(self) -> None:
        # Fail on a bad prompt option before the first video, not during it.
        for kind in ("caption", "summary", "description"):
            self.prompt(kind)

    def caption(self, request: CaptionRequest) -> CaptionResult:
        self.setup()
        return _Run(self, request).result()


@dataclass
class _Stats:
    calls: int = 0
    tokens: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, gen: Generation) -> None:
        with self.lock:
            self.calls += 1
            self.tokens += gen.tokens or 0
            self.seconds += gen.seconds

    def frozen(self) -> GenerationStats:
        with self.lock:
            return GenerationStats(self.calls, self.tokens, round(self.seconds, 3))


class _Run:
    """State of one :meth:`LLMCaptioner.caption` call."""

    def __init__(self, backend: LLMCaptioner, request: CaptionRequest):
        self.backend = backend
        self.request = request
        self.settings = backend.settings
        self.language = language_name(request.language)
        self.hedge_below = backend.hedge_below
        self.fallback = TemplateCaptioner(self.hedge_below).caption(request)
        self.fallback_text = {c.index: c.text for c in self.fallback.scenes}
        self.template_source = self.fallback.summary_source
        # Custom policies' category names count as words a caption may not use.
        self.categories = tuple(c.replace("_", " ") for c in request.moderation_categories)
        #: Set once the endpoint failed; later scenes go straight to the template.
        self.down: str | None = None
        self.stats = _Stats()
        self.rejected: list[int] = []
        self.unavailable: list[int] = []
        self.summary_note: str | None = None

    def result(self) -> CaptionResult:
        scenes = self.request.scenes
        workers = max(1, min(self.backend.max_concurrency, len(scenes)))
        if workers == 1:
            done = [self.scene(s) for s in scenes]
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="caption") as pool:
                done = list(pool.map(self.scene, scenes))
        captions = [caption for caption, _ in done]
        summary, summary_from_model = self.summary(captions)
        summary_source = self.source("summary") if summary_from_model else self.template_source
        used_model = summary_from_model or any(c.grounded for c in captions)
        prompts = [self.backend.prompt(k).ref for k in ("caption", "summary")]
        if self.settings.descriptions:
            prompts.insert(1, self.backend.prompt("description").ref)
        return CaptionResult(
            scenes=captions,
            summary=summary,
            backend=self.backend.name if used_model else self.fallback.backend,
            model=self.backend.model_name if used_model else None,
            prompt=",".join(prompts) if used_model else self.fallback.prompt,
            language=self.request.language if used_model else self.fallback.language,
            fallback_reason=self.reason(len(captions), summary_from_model),
            summary_source=summary_source,
            descriptions=[d for _, d in done],
            fallback_scenes=tuple(sorted(self.rejected + self.unavailable)),
            generation=self.stats.frozen(),
        )

    def source(self, kind: str) -> TextSource:
        return TextSource(backend=self.backend.name, model=self.backend.model_name,
                          prompt=self.backend.prompt(kind).ref)

    def scene(self, scene: SceneEvidence) -> tuple[SceneCaption, SceneCaption]:
        """The scene's caption and its audio description."""
        values = {
            "language": self.language,
            "start": clock(scene.start_s),
            "end": clock(scene.end_s),
            "tags": grounding.format_tags(scene.tags, self.hedge_below),
            "flags_line": _flags_line(scene.flagged_categories),
            **words_lines(scene.spoken_lines, scene.on_screen_text),
        }
        words = (scene.spoken_lines, scene.on_screen_text)
        evidence = [t.label for t in scene.tags]
        low = [t.label for t in scene.tags if t.score < self.hedge_below]
        template_text = self.fallback_text[scene.index]
        template = self.template_source
        if not scene.tags:
            caption = SceneCaption(scene.index, template_text, None, "no tags: template caption",
                                   template)
            return caption, SceneCaption(scene.index, template_text, None, None, template)
        flags = _flag_names(scene.flagged_categories)
        # The model never writes about a flag; its caption ends with the template's warning.
        warning = " " + flag_sentence(scene.flagged_categories) if flags else ""
        text, note = self.grounded("caption", values, evidence, low, flags, words)
        if text is None and note is None:  # endpoint down
            self.unavailable.append(scene.index)
            caption = SceneCaption(scene.index, template_text, None,
                                   f"template caption: {self.down}", template)
        elif text is None:
            self.rejected.append(scene.index)
            caption = SceneCaption(scene.index, template_text, False,
                                   f"template caption: the model's caption {note}", template)
        else:
            caption = SceneCaption(scene.index, text + warning, True, note,
                                   self.source("caption"))
        description = SceneCaption(scene.index, caption.text, caption.grounded, None,
                                   caption.source)
        if self.settings.descriptions and caption.grounded:
            text, note = self.grounded("description", values, evidence, low, flags, words)
            if text is not None:
                description = SceneCaption(scene.index, text + warning, True, note,
                                           self.source("description"))
            else:
                why = f"the description {note}" if note else self.down
                description.note = f"caption reused: {why}"
        return caption, description

    def summary(self, captions: list[SceneCaption]) -> tuple[str, bool]:
        req = self.request
        # Template captions end with their flags; the model gets flags only as warnings.
        lines = [f"- {_FLAG_SENTENCE.sub('', c.text)}" for c in captions[:MAX_SUMMARY_SCENES]]
        values = {
            "language": self.language,
            "scene_lines": "\n".join(lines) or "- (no scenes)",
            "tags": grounding.format_tags(req.video_tags, self.hedge_below),
            "flags_line": _flags_line(req.flagged_categories),
        }
        said = tuple(line for s in req.scenes for line in s.spoken_lines)
        written = tuple(line for s in req.scenes for line in s.on_screen_text)
        values.update(words_lines(said, written))
        evidence = {t.label for t in req.video_tags}
        evidence.update(t.label for s in req.scenes for t in s.tags)
        if not evidence:  # nothing to summarise that the template cannot say
            self.summary_note = "no tags to summarise"
            return self.fallback.summary, False
        low = [t.label for t in req.video_tags if t.score < self.hedge_below]
        flags = _flag_names(req.flagged_categories)
        text, self.summary_note = self.grounded("summary", values, sorted(evidence), low, flags,
                                                (said, written))
        if text is None:
            return self.fallback.summary, False
        if flags:
            text += " " + flag_sentence(req.flagged_categories, summary=True)
        return text, True

    def grounded(self, kind: str, values: dict, evidence: list[str], low: list[str],
                 flags: list[str], words: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
                 ) -> tuple[str | None, str | None]:
        """(text, note): text None means fall back; note None then means the endpoint is down.

        Flagged category names count as labels that are never evidence: text
        that names one describes what it was told only to warn about. ``words``
        are what is said and what is written: text may report them as such.
        """
        said, written = words
        template = self.backend.prompt(kind)
        vocabulary = (*self.request.vocabulary, *self.categories, *flags)
        strict_values: dict[str, str] | None = None
        first_reason = None
        reason = ""
        for _attempt in range(2):
            if self.down:
                return None, None
            prompt = template.render(values, strict_values=strict_values,
                                     max_tokens=self.settings.max_tokens,
                                     words=bool(said or written))
            try:
                gen = self.backend.generate(prompt)
            except BackendUnavailable as exc:
                self.down = self.down or exc.message
                return None, None
            self.stats.add(gen)
            text = clean_output(gen.text, gen.truncated)
            problem = quality_problem(text)
            verdict = None if problem else checks.judge(
                text, kind, evidence, vocabulary, self.request.aliases, self.request.language,
                self.request.places, said, written)
            if verdict is not None and verdict.ok:
                notes = [f"retried: the first answer {first_reason}" if first_reason else None,
                         verdict.unchecked]
                return reported.hedge_outside(text, low), \
                    "; ".join(n for n in notes if n) or None
            if verdict is None:  # unusable whatever its words: say how
                reason = retry = problem or ""
            else:
                reason, retry = verdict.reason or "", verdict.problem
            first_reason = first_reason or reason
            strict_values = {"problem": retry}
        return None, f"{reason} (also after a stricter retry)"

    def reason(self, n_scenes: int, summary_from_model: bool) -> str | None:
        parts = []
        if self.down:
            what = [f"{len(self.unavailable)} of {n_scenes} scene captions"] \
                if self.unavailable else []
            what += [] if summary_from_model else ["the summary"]
            verb = "use" if self.unavailable else "uses"
            parts.append(f"{self.backend.name} unavailable ({self.down}): "
                         f"{' and '.join(what)} {verb} the template captioner")
        if self.rejected:
            parts.append(f"{len(self.rejected)} of {n_scenes} scene captions failed the "
                         "grounding check and use the template captioner")
        if not summary_from_model and not self.down:
            why = self.summary_note if self.summary_note == "no tags to summarise" else \
                f"the model's summary failed the grounding check ({self.summary_note})"
            parts.append(f"{why}: the summary uses the template captioner")
        uses_template = self.rejected or self.unavailable or not summary_from_model
        if uses_template and self.fallback.fallback_reason:
            parts.append(self.fallback.fallback_reason)
        return "; ".join(parts) or None
