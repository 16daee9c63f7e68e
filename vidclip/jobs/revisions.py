"""People's edits of captions, descriptions, the summary and the caption
track's cues, kept as revisions.

The stored result stays what the machine wrote; every edit is a row (who,
when, the text before and after), and the result a reader gets -- the JSON,
the WebVTT and SRT tracks, the descriptions and transcripts -- is the stored
one with each text's latest revision laid over it (:func:`apply_revisions`),
its ``*_review`` marker saying who reviewed it and when. A revision whose
text is unchanged records a review alone. A cue's revision (field ``cue``)
names the cue's index in the ``scene`` column and lays its text over
``caption_track.cues[i].text``, setting that cue's ``review``.

Concurrency: the editor names the revision it started from (``base``, 0 for
the machine's text) and the new row takes ``base + 1``; a second edit from
the same base collides on the unique key and is refused with the text that
won, so no edit silently overwrites another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from vidclip.jobs.cue_edits import find_cue
from vidclip.jobs.review_tables import TextRevision
from vidclip.jobs.tables import utcnow
from vidclip.schema import TextReview, VideoAnalysis

Field = Literal["caption", "description", "summary", "cue"]
FIELDS: tuple[str, ...] = ("caption", "description", "summary", "cue")
SUMMARY_SCENE = -1
#: Longer than any caption or description a track can show in its time.
MAX_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RevisionConflict(Exception):
    """Someone saved this text since the editor loaded it."""

    def __init__(self, message: str, current: RevisionInfo | None):
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class RevisionInfo:
    job_id: str
    field: str
    scene: int | None
    seq: int
    before: str | None
    after: str
    author: str
    at: datetime

    @property
    def changed(self) -> bool:
        return self.before != self.after


def clean_text(text: str) -> str:
    """The text as stored: one line of plain text, whitespace collapsed.

    ValueError (one line, for the editor) when it is empty, longer than
    :data:`MAX_CHARS` or holds control characters. Markup is kept as the
    characters typed: every page and track escapes it, nothing renders it.
    """
    if _CONTROL.search(text):
        raise ValueError("the text holds control characters; type plain text")
    cleaned = " ".join(unicodedata.normalize("NFC", text).split())
    if not cleaned:
        raise ValueError("the text is empty; write what the scene shows (or leave it as it was)")
    if len(cleaned) > MAX_CHARS:
        raise ValueError(f"the text is {len(cleaned):,} characters long; at most {MAX_CHARS:,} "
                         "fit a caption or description")
    return cleaned


def _scene_key(field: str, scene: int | None) -> int:
    return SUMMARY_SCENE if field == "summary" else int(scene if scene is not None else -2)


def _info(row: TextRevision) -> RevisionInfo:
    return RevisionInfo(job_id=row.job_id, field=row.field,
                        scene=None if row.scene == SUMMARY_SCENE else row.scene, seq=row.seq,
                        before=row.before, after=row.after, author=row.author, at=row.at)


class RevisionStore:
    def __init__(self, session: sessionmaker):
        self._session = session

    def _tx(self) -> AbstractContextManager[Session]:
        return self._session.begin()

    def list(self, job_id: str) -> list[RevisionInfo]:
        """Every revision of the job, oldest first."""
        with self._tx() as session:
            rows = session.scalars(select(TextRevision).where(TextRevision.job_id == job_id)
                                   .order_by(TextRevision.at, TextRevision.id))
            return [_info(r) for r in rows]

    def latest_seq(self, job_id: str, field: str, scene: int | None) -> int:
        with self._tx() as session:
            return session.scalar(select(func.max(TextRevision.seq)).where(
                TextRevision.job_id == job_id, TextRevision.field == field,
                TextRevision.scene == _scene_key(field, scene))) or 0

    def add(self, job_id: str, field: str, scene: int | None, *, base: int, before: str | None,
            after: str, author: str) -> RevisionInfo:
        """Revision ``base + 1``; :class:`RevisionConflict` when ``base`` is not the latest."""
        key = _scene_key(field, scene)
        latest = self.latest_seq(job_id, field, scene)
        if base != latest:
            raise RevisionConflict(self._conflict(job_id, field, scene), self._last(job_id, field,
                                                                                     key))
        row = TextRevision(job_id=job_id, field=field, scene=key, seq=base + 1, before=before,
                           after=after, author=author, at=utcnow())
        try:
            with self._tx() as session:
                session.add(row)
        except IntegrityError as exc:
            raise RevisionConflict(self._conflict(job_id, field, scene),
                                   self._last(job_id, field, key)) from exc
        return _info(row)

    def _last(self, job_id: str, field: str, key: int) -> RevisionInfo | None:
        with self._tx() as session:
            row = session.scalars(select(TextRevision).where(
                TextRevision.job_id == job_id, TextRevision.field == field,
                TextRevision.scene == key).order_by(TextRevision.seq.desc()).limit(1)).first()
        return _info(row) if row is not None else None

    @staticmethod
    def _conflict(job_id: str, field: str, scene: int | None) -> str:
        where = where_text(field, scene)
        return (f"{where} was changed by someone else after you opened it; your text was not "
                "saved. Reload to see theirs, then edit again.")

    def delete_for_job(self, job_id: str) -> None:
        """A purge deletes the job's texts, people's edits among them."""
        with self._tx() as session:
            session.execute(delete(TextRevision).where(TextRevision.job_id == job_id))


def where_text(field: str, scene: int | None) -> str:
    """The text an edit is of, as a sentence names it."""
    if field == "summary":
        return "the summary"
    if field == "cue":
        return f"caption cue {scene}"
    return f"the {field} of scene {scene}"


def latest_by_text(revisions: Iterable[RevisionInfo]) -> dict[tuple[str, int | None],
                                                               RevisionInfo]:
    latest: dict[tuple[str, int | None], RevisionInfo] = {}
    for rev in revisions:
        key = (rev.field, rev.scene)
        if key not in latest or rev.seq > latest[key].seq:
            latest[key] = rev
    return latest


def current_text(analysis: VideoAnalysis, field: str, scene: int | None) -> str | None:
    if field == "summary" or scene is None:
        return analysis.captions.summary
    if field == "cue":
        cue = find_cue(analysis.caption_track, scene)
        return cue.text if cue is not None else None
    return getattr(analysis.scenes[scene], field)


def apply_revisions(analysis: VideoAnalysis,
                    revisions: Iterable[RevisionInfo]) -> VideoAnalysis:
    """The result as people left it: each text's latest revision, marked reviewed."""
    latest = latest_by_text(revisions)
    if not latest:
        return analysis
    out = analysis.model_copy(deep=True)
    for (field, scene), rev in latest.items():
        review = TextReview(status="reviewed", reviewed_by=rev.author, reviewed_at=rev.at)
        if field == "summary":
            out.captions.summary, out.captions.summary_review = rev.after, review
        elif field == "cue":
            cue = find_cue(out.caption_track, scene) if scene is not None else None
            if cue is not None:
                cue.text, cue.review = rev.after, review
        elif scene is not None and 0 <= scene < len(out.scenes):
            setattr(out.scenes[scene], field, rev.after)
            setattr(out.scenes[scene], f"{field}_review", review)
    return out
