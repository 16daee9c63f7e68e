"""Counts over the job store for monitoring: the same numbers from every API
process, since they come from the one record of every job."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from vidclip.jobs.status import JobStatus
from vidclip.jobs.tables import Job, utcnow


@dataclass
class JobCounts:
    #: (status, error code or "") -> jobs, every status.
    by_state: dict[tuple[str, str], int] = field(default_factory=dict)
    oldest_queued_age_s: float = 0.0

    @property
    def submitted(self) -> int:
        return sum(self.by_state.values())

    def in_state(self, status: JobStatus) -> int:
        return sum(n for (s, _), n in self.by_state.items() if s == status.value)


def job_counts(store, now: datetime | None = None) -> JobCounts:
    """One grouped count and one MIN over the indexed status column."""
    counts = JobCounts()
    with store.engine.connect() as conn:
        rows = conn.execute(select(Job.status, Job.error_code, func.count())
                            .group_by(Job.status, Job.error_code))
        for status, code, n in rows:
            counts.by_state[(status, code or "")] = int(n)
        oldest = conn.execute(select(func.min(Job.created_at))
                              .where(Job.status == JobStatus.QUEUED.value)).scalar()
    if oldest is not None:
        if oldest.tzinfo is None:  # SQLite hands back naive UTC
            oldest = oldest.replace(tzinfo=(now or utcnow()).tzinfo)
        counts.oldest_queued_age_s = max(0.0, ((now or utcnow()) - oldest).total_seconds())
    return counts
