"""The speech recogniser and text reader a worker's jobs default to, resolved once
when the worker process starts.

A backend that cannot load does not fail a job: the job goes on without its
transcript (or its on-screen text) and says so in the result. An operator must
see that before sending work, so the worker chooses and loads the backends of
the deployment's default options here -- the same ``choose_*`` a job runs, so
``auto`` resolves here exactly as it will there -- keeps what loaded for its
jobs (nothing loads twice), and announces the outcome
(:class:`vidclip.jobs.presence.BackendState`) for ``/readyz``. No job is run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from vidclip.config import AnalysisConfig
from vidclip.jobs.presence import BackendState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resolved:
    """A loaded choice (None when not loadable), the options it was made for, and
    what to announce."""

    choice: Any
    options: Any
    state: BackendState


def resolve_speech(config: AnalysisConfig) -> Resolved:
    from vidclip.speech.choose import choose_recognizer

    options = config.speech
    try:
        choice = choose_recognizer(options)  # a named backend that cannot load raises
    except Exception as exc:
        return _failed("speech", options, exc)
    return Resolved(choice, options, BackendState(
        configured=options.backend, backend=choice.backend,
        model=getattr(choice.recognizer, "model", None),
        fallback_reason=choice.fallback_reason))


def resolve_text(config: AnalysisConfig) -> Resolved:
    from vidclip.ocr.choose import choose_reader

    options = config.text
    try:
        choice = choose_reader(options)
        load = getattr(choice.reader, "load", None)
        if load is not None:  # a named reader is built lazily; loading it is the check
            load()
    except Exception as exc:
        return _failed("text", options, exc)
    return Resolved(choice, options, BackendState(
        configured=options.backend, backend=choice.backend,
        model=choice.reader.describe() if choice.reader is not None else None,
        fallback_reason=choice.fallback_reason))


def _failed(part: str, options, exc: Exception) -> Resolved:
    error = f"{type(exc).__name__}: {exc}"
    log.warning("the %s backend %r cannot load: %s", part, options.backend, error)
    return Resolved(None, options, BackendState(configured=options.backend, error=error))
