"""Job lifecycle: queued -> running(stage, progress) -> succeeded | failed | cancelled."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_STATES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})

#: Stages a job reports progress for, in order (ingest only for URL sources).
STAGES = ("ingest", "decode", "encode", "segment", "tag", "moderate", "caption")

#: Share of a job's wall time each stage takes on a CPU worker; only used to
#: turn per-stage progress into one overall figure for the status page.
STAGE_WEIGHTS = {"ingest": 0.05, "decode": 0.1, "encode": 0.6, "segment": 0.05, "tag": 0.05,
                 "moderate": 0.05, "caption": 0.1}


def overall_progress(progress: dict[str, float]) -> float:
    done = sum(STAGE_WEIGHTS.get(stage, 0.0) * min(max(f, 0.0), 1.0)
               for stage, f in progress.items())
    total = sum(STAGE_WEIGHTS[s] for s in STAGE_WEIGHTS if s != "ingest" or "ingest" in progress)
    return round(min(done / total, 1.0), 4)
