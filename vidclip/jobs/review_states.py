"""Review states and what each action does to them (pure, no store).

An item is ``open`` when a job with a flagged category enters the queue.
A reviewer confirms, dismisses or escalates one category at a time:

- any category escalated          -> the item is ``escalated``;
- every flagged category confirmed
  or dismissed (none escalated)   -> ``closed`` (a final decision);
- otherwise                       -> ``open``.

``reopen`` clears every decision (the item is ``open`` again; the events
before it stay in the log), ``comment`` adds a note and changes nothing.
Near misses (categories just below their threshold) may be decided too, and
count in the calibration report, but an item does not wait for them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class State(enum.StrEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Decision(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    ESCALATED = "escalated"


class Action(enum.StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    ESCALATE = "escalate"
    REOPEN = "reopen"
    COMMENT = "comment"


#: What a per-category action sets the category's decision to.
DECIDES = {Action.CONFIRM: Decision.CONFIRMED, Action.DISMISS: Decision.DISMISSED,
           Action.ESCALATE: Decision.ESCALATED}
FINAL = (Decision.CONFIRMED, Decision.DISMISSED)
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True)
class CategoryState:
    decision: Decision
    flagged: bool


@dataclass(frozen=True)
class Transition:
    state: State
    #: The category's new decision, or None when no category changes.
    decision: Decision | None
    #: True for ``reopen``: every decision goes back to pending.
    clear_all: bool = False


def state_of(categories: dict[str, CategoryState]) -> State:
    decisions = [c.decision for c in categories.values()]
    if Decision.ESCALATED in decisions:
        return State.ESCALATED
    if all(c.decision in FINAL for c in categories.values() if c.flagged):
        return State.CLOSED
    return State.OPEN


def apply(state: State, categories: dict[str, CategoryState], action: Action,
          category: str | None, note: str | None) -> Transition:
    """The transition ``action`` makes; ValueError (one line) when it cannot apply."""
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise ValueError(f"the note is {len(note):,} characters long; at most "
                         f"{MAX_NOTE_CHARS:,}")
    if action in DECIDES:
        if category is None:
            raise ValueError(f"{action.value} needs the category it decides")
        if category not in categories:
            raise ValueError(f"this item has no category {category!r}; it has "
                             f"{', '.join(sorted(categories))}")
        decision = DECIDES[action]
        after = dict(categories)
        after[category] = CategoryState(decision, categories[category].flagged)
        return Transition(state_of(after), decision)
    if category is not None:
        raise ValueError(f"{action.value} applies to the whole item; send no category")
    if action is Action.REOPEN:
        return Transition(State.OPEN, None, clear_all=True)
    if not note:
        raise ValueError("a comment needs a note")
    return Transition(state, None)
