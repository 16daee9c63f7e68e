"""The calibration report: what reviewers' decisions say about the thresholds.

A pure function of decisions. For one category, each reviewed item gives a
score ``s`` (the category's peak score in the video) and a decision,
confirmed (a true flag) or dismissed (a false one). At a threshold ``t``
the flags are the items with ``s >= t``, so::

    precision(t) = confirmed with s >= t / reviewed with s >= t
    recall(t)    = confirmed with s >= t / confirmed

Recall counts only what reached the queue: a job is listed when something
is flagged, and its categories within :data:`vidclip.jobs.reviews.NEAR_MISS`
below their threshold are listed too, so reviewers can confirm what the
threshold missed; content far below every threshold is never seen, and the
recall here is an upper bound.

The suggested threshold is the lowest that reaches the target precision on
these decisions (the lowest keeps the most recall), placed halfway to the
next lower reviewed score so it does not sit on one item's score (see
:func:`suggest` for the lowest score).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vidclip.jobs.review_states import Decision
from vidclip.jobs.reviews import Decided

BAND_WIDTH = 0.1
#: Fewer decisions than this above a threshold and the report says it is thin.
STEADY_SUPPORT = 10


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    confirmed: int
    dismissed: int


@dataclass(frozen=True)
class Operating:
    """Precision and recall at one threshold; None where nothing was counted."""

    threshold: float
    precision: float | None
    recall: float | None
    #: Reviewed items at or above the threshold.
    support: int


@dataclass(frozen=True)
class CategoryReport:
    category: str
    threshold: float | None
    confirmed: int
    dismissed: int
    bands: list[Band]
    current: Operating | None
    suggested: Operating | None
    #: Why there is no suggestion, or why to trust it little.
    note: str | None


def _operating(decided: list[Decided], threshold: float) -> Operating:
    above = [d for d in decided if d.score >= threshold]
    hits = sum(d.decision is Decision.CONFIRMED for d in above)
    positives = sum(d.decision is Decision.CONFIRMED for d in decided)
    return Operating(threshold=round(threshold, 4),
                     precision=round(hits / len(above), 4) if above else None,
                     recall=round(hits / positives, 4) if positives else None,
                     support=len(above))


def bands(decided: Iterable[Decided]) -> list[Band]:
    count = round(1 / BAND_WIDTH)
    confirmed, dismissed = [0] * count, [0] * count
    for d in decided:
        # The epsilon keeps 0.7 in the 0.7-0.8 band (0.7 / 0.1 is 6.999... in floats).
        i = min(int(d.score / BAND_WIDTH + 1e-9), count - 1)
        (confirmed if d.decision is Decision.CONFIRMED else dismissed)[i] += 1
    return [Band(round(i * BAND_WIDTH, 2), round((i + 1) * BAND_WIDTH, 2), confirmed[i],
                 dismissed[i]) for i in range(count)]


def suggest(decided: list[Decided], target: float,
            current: float | None = None) -> Operating | None:
    """The lowest threshold with precision >= ``target`` on these decisions.

    Halfway between the lowest qualifying score and the reviewed score below
    it; with no reviewed score below, the decisions cannot tell how low it may
    go, so it stays at the current threshold if that is lower (no change).
    """
    scores = sorted({d.score for d in decided})
    for i, score in enumerate(scores):
        at = _operating(decided, score)
        if at.precision is not None and at.precision >= target:
            if i:
                threshold = (score + scores[i - 1]) / 2
            else:
                threshold = score if current is None else min(score, current)
            return _operating(decided, min(max(threshold, 0.0001), 0.9999))
    return None


def category_report(category: str, decided: list[Decided], threshold: float | None,
                    target: float) -> CategoryReport:
    confirmed = sum(d.decision is Decision.CONFIRMED for d in decided)
    suggested = suggest(decided, target, threshold) if decided else None
    note = None
    if not decided:
        note = "no reviewed items yet."
    elif suggested is None:
        note = (f"no threshold reaches {target:.0%} precision on these decisions "
                f"({len(decided) - confirmed} of {len(decided)} flags were dismissed).")
    elif suggested.support < STEADY_SUPPORT:
        note = (f"based on {suggested.support} reviewed item(s) above it; "
                f"{STEADY_SUPPORT} or more make it steadier.")
    return CategoryReport(
        category=category, threshold=threshold, confirmed=confirmed,
        dismissed=len(decided) - confirmed, bands=bands(decided),
        current=_operating(decided, threshold) if threshold is not None else None,
        suggested=suggested, note=note)


def report(decided: Iterable[Decided], thresholds: dict[str, float],
           target: float) -> list[CategoryReport]:
    """One entry per category of the policy (and any other that was decided)."""
    by_category: dict[str, list[Decided]] = {name: [] for name in thresholds}
    for d in decided:
        by_category.setdefault(d.category, []).append(d)
    return [category_report(name, items, thresholds.get(name), target)
            for name, items in by_category.items()]
