"""Request and response bodies of the review app's JSON routes: text
revisions, the moderation queue, the calibration report and policy versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from vidclip.jobs.review_states import MAX_NOTE_CHARS, Action, Decision, State
from vidclip.jobs.revisions import Field as TextField

# Longer than MAX_CHARS so an over-long edit gets the store's message, which
# says how long it was, instead of a bare schema error.
EditText = Annotated[str, StringConstraints(max_length=100_000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- revisions -----------------------------------------------------------------------
class RevisionCreate(_In):
    """An edit of one text, or (``text`` omitted) a review that keeps it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"field": "caption", "scene": 2, "base": 0, "text": "A tabby cat sleeps on a sofa."}]})

    field: TextField
    scene: int | None = Field(None, ge=0, description="The scene's index (a cue's index for "
                              "``cue``); none for the summary.")
    base: int = Field(ge=0, description="The revision the edit starts from (0: the machine's "
                      "text). A newer one exists: 409, nothing saved.")
    text: EditText | None = Field(None, description="The new text; omit to mark the current "
                                  "text reviewed as it is.")

    @model_validator(mode="after")
    def _scene(self) -> RevisionCreate:
        if (self.field == "summary") != (self.scene is None):
            raise ValueError("give a scene for a caption or description (the cue's index for a "
                             "cue), none for the summary")
        return self


class RevisionPublic(BaseModel):
    field: TextField
    scene: int | None
    seq: int = Field(description="1, 2 ... per text.")
    before: str | None
    after: str
    changed: bool = Field(description="False: a review that kept the text.")
    author: str = Field(description="The name of the key that saved it.")
    at: datetime


class RevisionList(BaseModel):
    items: list[RevisionPublic]


class RevisionSaved(RevisionPublic):
    note: str | None = Field(None, description="Something the editor should know (markup is "
                             "kept as typed and shown as text).")
    warnings: list[str] = Field(default_factory=list, description="For a cue: where the text "
                                "breaks the track's style (line length, lines, reading speed). "
                                "It is saved as typed all the same.")


# -- reviews -------------------------------------------------------------------------
class ReviewSegment(BaseModel):
    start_s: float
    end_s: float
    score: float | None = None
    source: Literal["visual", "speech", "text"] = Field(
        "visual", description="What showed it: the picture, what was said, or on-screen text.")
    evidence: str | None = Field(None, description="For speech and text: the words that "
                                 "matched (shown as text, never as markup).")
    rule: str | None = Field(None, description="For speech and text: lexicon or classifier.")


class ReviewCategoryPublic(BaseModel):
    category: str
    score: float
    threshold: float
    flagged: bool = Field(description="False: a near miss, listed for the report's recall.")
    segments: list[ReviewSegment]
    decision: Decision


class ReviewEventPublic(BaseModel):
    seq: int
    actor: str = Field(description="The name of the key that acted.")
    action: Action
    category: str | None
    note: str | None
    state_before: State
    state_after: State
    decision_before: Decision | None
    decision_after: Decision | None
    at: datetime


class ReviewLinks(BaseModel):
    self: str
    job: str
    events: str


class ReviewPublic(BaseModel):
    id: str
    job_id: str
    state: State
    top_score: float = Field(description="The highest flagged score: the queue's order.")
    policy: str
    policy_version: str | None
    preview_scene: int | None = Field(description="The scene where the top flag starts "
                                      "(its thumbnail is the item's picture).")
    version: int = Field(description="Events so far.")
    created_at: datetime
    updated_at: datetime
    categories: list[ReviewCategoryPublic]
    links: ReviewLinks


class ReviewDetail(ReviewPublic):
    events: list[ReviewEventPublic]


class ReviewPage(BaseModel):
    items: list[ReviewPublic]
    next_cursor: str | None = None


class ReviewEventCreate(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "confirm", "category": "weapons", "note": "a rifle at 0:12"}]})

    action: Action
    category: Annotated[str, StringConstraints(max_length=100)] | None = None
    note: Annotated[str, StringConstraints(max_length=MAX_NOTE_CHARS)] | None = None
    seen: int | None = Field(None, ge=0, description="The item's version the reviewer saw; "
                             "events by others since are returned in `concurrent`.")


class ReviewEventResult(BaseModel):
    review: ReviewDetail
    event: ReviewEventPublic
    concurrent: list[ReviewEventPublic] = Field(
        default_factory=list, description="Events others recorded after `seen` and before "
        "this one: both are kept, and the state follows the later.")
    message: str


# -- moderation: report and policies ---------------------------------------------------
class BandPublic(BaseModel):
    low: float
    high: float
    confirmed: int
    dismissed: int


class OperatingPublic(BaseModel):
    threshold: float
    precision: float | None
    recall: float | None
    support: int = Field(description="Reviewed items at or above the threshold.")


class CategoryReportPublic(BaseModel):
    category: str
    threshold: float | None = Field(description="In the latest policy version.")
    confirmed: int
    dismissed: int
    bands: list[BandPublic]
    current: OperatingPublic | None
    suggested: OperatingPublic | None
    note: str | None


class ReportPublic(BaseModel):
    policy: str
    policy_version: int
    target_precision: float
    reviewed: int = Field(description="Decided categories counted.")
    categories: list[CategoryReportPublic]


class PolicyVersionPublic(BaseModel):
    name: str
    version: int
    thresholds: dict[str, float]
    change: str
    author: str
    note: str | None
    created_at: datetime | None


class PolicyVersionList(BaseModel):
    items: list[PolicyVersionPublic]


class PolicyVersionCreate(_In):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"base_version": 1, "thresholds": {"weapons": 0.72}, "note": "from the report"}]})

    base_version: int = Field(ge=1, description="The version the change starts from; a newer "
                              "one exists: 409.")
    thresholds: dict[Annotated[str, StringConstraints(max_length=100)],
                     Annotated[float, Field(gt=0, lt=1)]] = Field(min_length=1, max_length=50)
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
