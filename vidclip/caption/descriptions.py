"""The descriptions track: which scenes it speaks about, and in how many words.

Each scene has its own description (the model's, checked word by word, or
its caption). A listener should not hear all of them: audio description
guidance (the DCMP Description Key; Netflix's Audio Description Style
Guide) describes where the picture changes and what matters, in the time
there is, general before specific. :func:`plan_descriptions` applies that:

1. A scene without tags gets no cue: "No confidently recognised content."
   is noise to a listener (the captions track may keep it).
2. A scene that shows the same as the scene before it adds no cue; the
   earlier cue runs on over it. "The same" is read from the tags: two
   neighbouring scenes show the same when the labels a description would
   name -- their best ``SAME_TAGS`` tags -- are the same set. A cut between
   two shots of one street is not news to someone who cannot see it.
3. A cue's words fit its time at ``WORDS_PER_SECOND``; a longer text is
   shortened, never cut mid-sentence: first to its first sentence (the
   general one, since descriptions put the setting first), then to the
   template's sentence for the best two tags, then the best one (or, when
   none fits, the fewest words, which may be the text as written). A
   flagged scene's warning stays whatever the time. A description a person
   has reviewed is never shortened: its words are theirs.

``WORDS_PER_SECOND`` is 2.5, 150 words a minute: the rate of television
speech (141 words a minute on average, Jensema, McCann and Ramsey 1996)
and of ordinary conversation (140-180, Wingfield et al. 2006), both as
quoted in Zdenek, *Reading Sounds* (2015), pp. 150-151. A description
read at that rate by a screen reader's default voice stays inside its
scene.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from vidclip.caption.grounding import HEDGE_BELOW
from vidclip.caption.template import describe
from vidclip.schema import Scene, is_reviewed

WORDS_PER_SECOND = 2.5
#: Tags compared to tell whether two neighbouring scenes show the same thing:
#: as many as a template description names.
SAME_TAGS = 3
_WARNING = re.compile(r"\s*(Flagged for (?:moderation )?review:.*)$")


@dataclass(frozen=True)
class PlannedCue:
    start_s: float
    end_s: float
    #: Scene indices the cue covers: the one described, then those showing the same.
    scenes: tuple[int, ...]
    text: str
    #: Why the text is shorter than the scene's description; None when it is that.
    shortened: str | None = None


def same_picture(a: Scene, b: Scene) -> bool:
    """Whether ``b`` shows what ``a`` shows, as far as the tags tell."""
    return _shown(a) == _shown(b) and bool(_shown(a))


def _shown(scene: Scene) -> frozenset[str]:
    best = sorted(scene.tags, key=lambda t: -t.score)[:SAME_TAGS]
    return frozenset(t.label.lower() for t in best)


def words(text: str) -> int:
    return len(text.split())


def fit(scene: Scene, text: str, seconds: float, words_per_second: float = WORDS_PER_SECOND,
        hedge_below: float = HEDGE_BELOW) -> tuple[str, str | None]:
    """``(text, why shortened or None)``: ``text``, or a shorter one that fits ``seconds``."""
    match = _WARNING.search(text)
    warning = match.group(1) if match else ""
    body = text[:match.start()] if match else text
    budget = math.floor(seconds * words_per_second + 1e-9) - words(warning)
    if words(body) <= budget:
        return text, None
    candidates = []
    sentences = re.split(r"(?<=[.!?])\s+", body.strip())
    if len(sentences) > 1:
        candidates.append(sentences[0])
    tags = sorted(scene.tags, key=lambda t: -t.score)
    candidates += ["The scene " + describe(tags[:n], hedge_below) + "." for n in (2, 1) if tags]
    fitting = [c for c in candidates if words(c) <= budget]
    # Nothing fits: the fewest words, and the text as written if nothing is shorter.
    chosen = fitting[0] if fitting else min([body, *candidates], key=words)
    if chosen == body:
        return text, None
    why = (f"shortened from {words(body)} to {words(chosen)} words to fit {seconds:.1f} s "
           f"at {words_per_second:g} words a second")
    return " ".join(p for p in (chosen, warning) if p), why


def plan_descriptions(scenes: Sequence[Scene], words_per_second: float = WORDS_PER_SECOND,
                      hedge_below: float = HEDGE_BELOW) -> list[PlannedCue]:
    """The cues of the descriptions track, in time order (see the module docstring)."""
    groups: list[list[Scene]] = []
    for scene in sorted(scenes, key=lambda s: s.start_s):
        if not scene.tags or not scene.description or scene.end_s <= scene.start_s:
            continue
        last = groups[-1][-1] if groups else None
        if last is not None and scene.index == last.index + 1 and same_picture(groups[-1][0],
                                                                               scene):
            groups[-1].append(scene)
        else:
            groups.append([scene])
    cues = []
    for group in groups:
        first = group[0]
        start, end = first.start_s, group[-1].end_s
        text, why = first.description or "", None
        if not is_reviewed(first.description_review):  # a person's words stay as they are
            text, why = fit(first, text, end - start, words_per_second, hedge_below)
        cues.append(PlannedCue(start, end, tuple(s.index for s in group), text, why))
    return cues
