"""The stages a video's analysis reports progress for, and one overall figure.

Every stage reports ``(stage, fraction of the stage done)``; the CLI's bar
and a service job's ``progress`` both turn those into one number with the
same weights. Decode and encode run at the same time, so their fractions
rise together.
"""

from __future__ import annotations

from collections.abc import Mapping

#: In order. ``ingest`` (a URL being downloaded) happens only in the service.
STAGES = ("ingest", "decode", "encode", "speech", "segment", "tag", "moderate", "text",
          "caption")

#: Rough shares of a CPU run's wall time; only for turning per-stage progress
#: into one figure, so a judgement, not a measurement to keep in step.
STAGE_WEIGHTS = {"ingest": 0.05, "decode": 0.15, "encode": 0.55, "segment": 0.05, "tag": 0.05,
                 "moderate": 0.05, "text": 0.05, "caption": 0.1,
                 # Beside decode + encode in its own thread: what is left of it when they end.
                 "speech": 0.05}


def overall_progress(stages: Mapping[str, float]) -> float:
    """Weighted progress in [0, 1]; ``ingest`` counts only when it was reported."""
    done = sum(STAGE_WEIGHTS.get(stage, 0.0) * min(max(f, 0.0), 1.0)
               for stage, f in stages.items())
    total = sum(w for stage, w in STAGE_WEIGHTS.items() if stage != "ingest" or "ingest" in stages)
    return round(min(done / total, 1.0), 4)
