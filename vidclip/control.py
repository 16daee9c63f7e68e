"""How a caller steers one run: progress reports and cancellation."""

from __future__ import annotations

from collections.abc import Callable

#: progress(stage, fraction of the stage done); :mod:`vidclip.progress` lists the stages.
ProgressFn = Callable[[str, float], None]
#: Polled between encoder batches; returning True stops the video with :class:`Cancelled`.
CancelFn = Callable[[], bool]


class Cancelled(Exception):
    """Raised inside a run when ``should_cancel()`` turned true."""


def no_progress(stage: str, fraction: float) -> None:
    """A :data:`ProgressFn` that reports nowhere."""


def never_cancel() -> bool:
    return False
