"""Content moderation: a policy of categories scored on the frame embeddings.

A policy is YAML (``vidclip/data/policies/default.yaml`` is the bundled
starting point): each category has positive ``prompts``, optional
``negative_prompts`` (benign look-alikes) and a ``threshold``. A frame's
category logit is how far its best positive prompt sits above *both* the
neutral anchor and the best benign look-alike (:mod:`vidclip.calibration`
with ``rival(f) = max(cos(f, anchor), max_n cos(f, n))``)::

    z = logit_scale * (max_p cos(f, p) - max(cos(f, anchor), max_n cos(f, n)) - margin)

so a toy pistol or a kitchen knife has to look more like a weapon than like
a toy or a kitchen knife before it counts. The category score is the peak
frame score; flagged segments are the time ranges at or above the threshold
(stretches at most ``merge_gap_s`` apart joined) lasting at least
``min_duration_s``.

A category may also read words (:mod:`vidclip.text_moderation`): a
``lexicon`` of words and phrases (with ``allow``, its benign look-alikes)
and a text ``classifier`` with its ``text_threshold``, matched against what
is said and written on screen. A category with no ``prompts`` is text-only:
the picture does not score it (it is absent from the result until there
are words to read).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import yaml

from vidclip.calibration import Calibration, sigmoid
from vidclip.errors import ConfigError
from vidclip.schema import Moderation, ModerationCategory, ModerationHit
from vidclip.text_moderation.classifier import check_name
from vidclip.text_moderation.lexicon import Phrase, parse_entries

if TYPE_CHECKING:  # the API validates policies with parse_policy: no model or decoder code
    from vidclip.encode.base import Encoder
    from vidclip.timeline import Timeline

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: Flagged stretches at most this far apart count as one: at 1 frame/s, a
#: score flickering around the threshold (0.6, 0.4, 0.6, 0.4 ...) is one
#: long stretch, not pieces that each fall short of ``min_duration_s``.
DEFAULT_MERGE_GAP_S = 1.0


@dataclass(frozen=True)
class Category:
    name: str
    prompts: tuple[str, ...]
    negative_prompts: tuple[str, ...]
    threshold: float
    min_duration_s: float = 0.0
    description: str = ""
    merge_gap_s: float = DEFAULT_MERGE_GAP_S
    #: Words and phrases that flag what is said or written (:mod:`vidclip.text_moderation`).
    lexicon: tuple[Phrase, ...] = ()
    #: Phrases a lexicon match inside of does not count ("shoot you an email").
    allow: tuple[Phrase, ...] = ()
    #: A text classifier's name (``profanity``) scoring each sentence and text on screen.
    classifier: str | None = None
    #: The classifier's score at which a sentence counts (default: ``threshold``).
    text_threshold: float | None = None

    @property
    def visual(self) -> bool:
        """Whether the picture scores this category (it has prompts)."""
        return bool(self.prompts)

    @property
    def reads_words(self) -> bool:
        return bool(self.lexicon) or self.classifier is not None


@dataclass(frozen=True)
class Policy:
    name: str
    version: str
    categories: tuple[Category, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()


def load_policy(spec: str = "default") -> Policy:
    """A bundled policy name or a path to a YAML file."""
    path = Path(spec).expanduser()
    if path.is_file():
        text = path.read_text(encoding="utf-8")
    else:
        bundled = resources.files("vidclip") / "data" / "policies" / f"{spec}.yaml"
        if not bundled.is_file():
            raise ConfigError(f"moderation policy {spec!r}: no such file or bundled policy.")
        text = bundled.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"moderation policy {spec!r} is not valid YAML: {exc}") from exc
    return parse_policy(data, spec)


def parse_policy(data: object, origin: str = "policy") -> Policy:
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise ConfigError(f"moderation policy {origin!r} needs a 'categories' list.")
    categories = []
    default_gap = _seconds(data.get("merge_gap_s", DEFAULT_MERGE_GAP_S), "merge_gap_s", origin)
    for i, raw in enumerate(data["categories"]):
        if not isinstance(raw, dict):
            raise ConfigError(f"moderation policy {origin!r}: category #{i + 1} is not a mapping.")
        if raw.get("enabled", True) is False:
            continue
        categories.append(_category(raw, origin, default_gap))
    return Policy(str(data.get("name", origin)), str(data.get("version", "1")), tuple(categories))


def _category(raw: dict, origin: str, default_gap: float) -> Category:
    name = str(raw.get("name", ""))
    if not _NAME.match(name):
        raise ConfigError(
            f"moderation policy {origin!r}: category name {name!r} is not snake_case.")
    where = f"moderation policy {origin!r}: category {name!r}"
    prompts = tuple(str(p) for p in raw.get("prompts") or [])
    lexicon = parse_entries(raw.get("lexicon"), where)
    classifier = raw.get("classifier")
    if classifier is not None:
        classifier = check_name(str(classifier), where)
    if not prompts and not lexicon and classifier is None:
        raise ConfigError(f"{where} has no prompts (nor a lexicon or text classifier).")
    return Category(
        name=name,
        prompts=prompts,
        negative_prompts=tuple(str(p) for p in raw.get("negative_prompts") or []),
        threshold=_fraction(raw.get("threshold"), "threshold", where),
        min_duration_s=_seconds(raw.get("min_duration_s", 0.0), "min_duration_s", origin, name),
        description=str(raw.get("description", "")),
        merge_gap_s=_seconds(raw.get("merge_gap_s", default_gap), "merge_gap_s", origin, name),
        lexicon=lexicon,
        allow=parse_entries(raw.get("allow"), where),
        classifier=classifier,
        text_threshold=(None if raw.get("text_threshold") is None
                        else _fraction(raw["text_threshold"], "text_threshold", where)),
    )


def _fraction(value: object, field: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ConfigError(f"{where} needs a {field} between 0 and 1.")
    return float(value)


def _seconds(value: object, field: str, origin: str, category: str | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        where = f"category {category!r}" if category else "the policy"
        raise ConfigError(
            f"moderation policy {origin!r}: {field} of {where} must be a number of seconds >= 0."
        )
    return float(value)


@dataclass
class PolicyEmbeddings:
    """Every prompt of a policy embedded once per encoder (cached on disk)."""

    policy: Policy
    positive: list[np.ndarray]  # per category: (P, D)
    negative: list[np.ndarray]  # per category: (N, D), N may be 0

    @classmethod
    def build(cls, encoder: Encoder, policy: Policy, cache_dir: Path | None) -> "PolicyEmbeddings":
        from vidclip.vocabulary import embed_prompt_sets

        prompts = [[p] for c in policy.categories for p in (*c.prompts, *c.negative_prompts)]
        if not prompts:
            return cls(policy, [], [])
        emb = embed_prompt_sets(encoder, prompts, f"policy:{policy.sha256}", cache_dir)
        positive, negative, pos = [], [], 0
        for c in policy.categories:
            positive.append(emb[pos : pos + len(c.prompts)])
            pos += len(c.prompts)
            negative.append(emb[pos : pos + len(c.negative_prompts)])
            pos += len(c.negative_prompts)
        return cls(policy, positive, negative)


@dataclass
class ModerationResult:
    frame_scores: np.ndarray  # (F, C)
    summary: Moderation
    scene_hits: list[list[ModerationHit]]


def moderate(
    frame_emb: np.ndarray,
    timeline: Timeline,
    embeddings: PolicyEmbeddings,
    calibration: Calibration,
) -> ModerationResult:
    policy = embeddings.policy
    n_frames = len(frame_emb)
    base = calibration.baseline(frame_emb)
    scores = np.zeros((n_frames, len(policy.categories)))
    for c, cat in enumerate(policy.categories):
        if n_frames == 0:
            break
        if not cat.visual:  # text-only: its column stays 0, and it is not reported
            continue
        best_pos = (frame_emb @ embeddings.positive[c].T).max(axis=1)
        rival = base
        if len(embeddings.negative[c]):
            rival = np.maximum(base, (frame_emb @ embeddings.negative[c].T).max(axis=1))
        scores[:, c] = sigmoid(calibration.logits(best_pos, rival))
    categories = []
    visual = [(c, cat) for c, cat in enumerate(policy.categories) if cat.visual]
    for c, cat in visual:
        segments = timeline.segments(scores[:, c], cat.threshold, cat.min_duration_s,
                                     gap_s=cat.merge_gap_s)
        peak = float(scores[:, c].max()) if n_frames else 0.0
        categories.append(
            ModerationCategory(
                category=cat.name,
                score=round(peak, 4),
                threshold=cat.threshold,
                flagged=bool(segments),
                segments=segments,
            )
        )
    scene_hits = []
    for s in range(len(timeline.scenes)):
        rows = timeline.frames_in(s)
        hits = []
        for c, cat in visual:
            peak = float(scores[rows, c].max()) if len(rows) else 0.0
            hits.append(ModerationHit(category=cat.name, score=round(peak, 4),
                                      flagged=peak >= cat.threshold))
        scene_hits.append(hits)
    summary = Moderation(
        flagged=any(c.flagged for c in categories), policy=policy.name,
        policy_version=policy.version, categories=categories
    )
    return ModerationResult(scores, summary, scene_hits)
