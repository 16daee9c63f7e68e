"""/v1/jobs/{id}/revisions: people's edits and reviews of captions, descriptions,
the summary and the caption track's cues. The result and every text track are
served with the latest revision of each text (see :mod:`vidclip.jobs.revisions`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.deps import JOB_ID, OwnedJobDep, StoreDep, require_role
from api.errors import ApiError, responses
from api.review_schemas import RevisionCreate, RevisionList, RevisionPublic, RevisionSaved
from api.routers.results import current_analysis
from vidclip.jobs.cue_edits import clean_cue_text, cue_warnings, find_cue
from vidclip.jobs.principal import Principal, Role
from vidclip.jobs.revisions import RevisionConflict, RevisionInfo, clean_text, current_text
from vidclip.jobs.store import JobStore
from vidclip.jobs.tables import Job
from vidclip.schema import VideoAnalysis

router = APIRouter(prefix=f"/jobs/{JOB_ID}/revisions", tags=["review"])

ReviewerDep = Annotated[Principal, Depends(require_role(Role.REVIEWER))]
MARKUP_NOTE = "kept as typed: shown as text everywhere, never run as markup."


def public(rev: RevisionInfo) -> RevisionPublic:
    return RevisionPublic(field=rev.field, scene=rev.scene, seq=rev.seq,
                          before=rev.before, after=rev.after, changed=rev.changed,
                          author=rev.author, at=rev.at)


def save_revision(store: JobStore, job: Job, author: str,
                  body: RevisionCreate) -> tuple[RevisionInfo, str | None, list[str]]:
    """Check and store one edit or review; :class:`ApiError` with the reason otherwise.

    Returns the revision, a note for the editor and, for a cue, where its text
    breaks the track's style (saved as typed all the same: nothing is rewrapped).
    """
    analysis = current_analysis(job, store)
    _check_place(analysis, body)
    before = current_text(analysis, body.field, body.scene)
    if body.text is None:
        if before is None:
            raise ApiError(422, "invalid_request", f"there is no {body.field} to review here; "
                           "write one instead.")
        after = before
    else:
        clean = clean_cue_text if body.field == "cue" else clean_text
        try:
            after = clean(body.text)
        except ValueError as exc:
            raise ApiError(422, "invalid_text", f"{body.field}: {exc}.") from exc
    try:
        rev = store.revisions.add(job.id, body.field, body.scene, base=body.base, before=before,
                                  after=after, author=author)
    except RevisionConflict as exc:
        current = public(exc.current).model_dump(mode="json") if exc.current else None
        raise ApiError(409, "edit_conflict", str(exc), detail={"current": current}) from exc
    note = MARKUP_NOTE if any(ch in after for ch in "<>&") else None
    warnings: list[str] = []
    track = analysis.caption_track
    cue = find_cue(track, body.scene) if body.field == "cue" and body.scene is not None else None
    if cue is not None and track is not None:
        warnings = cue_warnings(after, cue.start_s, cue.end_s, track.style)
    return rev, note, warnings


def _check_place(analysis: VideoAnalysis, body: RevisionCreate) -> None:
    """The scene or cue the edit names exists."""
    if body.field == "cue":
        track = analysis.caption_track
        if track is None or not track.cues:
            raise ApiError(422, "invalid_request", "the job has no caption cues to edit (no "
                           "speech was transcribed).")
        if find_cue(track, body.scene or 0) is None:
            raise ApiError(422, "invalid_request", f"cue {body.scene}: the caption track has "
                           f"{len(track.cues)} cues (0 to {len(track.cues) - 1}).")
    elif body.scene is not None and body.scene >= len(analysis.scenes):
        raise ApiError(422, "invalid_request", f"scene {body.scene}: the video has "
                       f"{len(analysis.scenes)} scenes (0 to {len(analysis.scenes) - 1}).")


@router.get("", response_model=RevisionList, responses=responses(401, 404),
            summary="Every edit and review of the job's texts, oldest first")
def list_revisions(job: OwnedJobDep, store: StoreDep) -> RevisionList:
    return RevisionList(items=[public(r) for r in store.revisions.list(job.id)])


@router.post("", status_code=201, response_model=RevisionSaved,
             responses=responses(401, 403, 404, 409, 410, 422),
             summary="Edit a caption, description, caption cue or the summary, or mark it "
             "reviewed")
def post_revision(body: RevisionCreate, job: OwnedJobDep, store: StoreDep,
                  reviewer: ReviewerDep) -> RevisionSaved:
    rev, note, warnings = save_revision(store, job, reviewer.name, body)
    return RevisionSaved(**public(rev).model_dump(), note=note, warnings=warnings)
