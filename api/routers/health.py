"""/healthz (the process answers) and /readyz (store and broker reachable, and no
live worker whose speech or text backend cannot load)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import QueueDep, SettingsDep, StoreDep
from api.errors import responses
from api.schemas import Health

router = APIRouter(tags=["health"])

#: The backends each analysing worker announces (vidclip.jobs.presence.BackendState).
_BACKENDS = ("speech", "text")
NO_WORKERS = "none live: jobs wait in the queue until a worker starts"


@router.get("/healthz", response_model=Health, summary="The API process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses=responses(503),
            summary="The job store and the broker are reachable, and the live workers' "
            "speech and text backends load")
def readyz(store: StoreDep, queue: QueueDep, settings: SettingsDep):
    checks = {}
    for name, probe in (("store", store.ping), ("broker", queue.ping)):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # any failure means not ready; say which
            checks[name] = f"unreachable: {type(exc).__name__}"
    failed = [k for k, v in checks.items() if v != "ok"]
    if not failed:  # the workers announce themselves in the broker
        broken = _worker_checks(settings, checks)
        if broken:
            return _not_ready(checks, "a live worker's backend cannot load: "
                              + ", ".join(broken) + ".")
        return Health(status="ok", checks=checks)
    return _not_ready(checks, f"not reachable: {', '.join(failed)}.")


def _worker_checks(settings, checks: dict[str, str]) -> list[str]:
    """Adds ``workers``, ``speech`` and ``text`` to ``checks``; returns the backends
    some live worker says cannot load. No workers is not a fault (jobs queue)."""
    import redis

    from vidclip.jobs.presence import Presence

    presence = Presence(settings.broker_url, settings.queue_prefix)
    try:
        records = presence.workers()
    except redis.RedisError as exc:
        checks["workers"] = f"unreadable: {type(exc).__name__}"
        return ["workers"]
    finally:
        presence.close()
    checks["workers"] = f"{len(records)} live" if records else NO_WORKERS
    broken = []
    for part in _BACKENDS:
        states = [(r.worker, getattr(r, part)) for r in records if getattr(r, part) is not None]
        if not states:
            continue
        errors = [f"{worker}: {s.summary()}" for worker, s in states if s.error is not None]
        fine = [s.summary() for _, s in states if s.error is None]
        checks[part] = "; ".join(errors + list(dict.fromkeys(fine)))
        if errors:
            broken.append(part)
    return broken


def _not_ready(checks: dict[str, str], message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": "not_ready", "message": message, "detail": checks}},
                        status_code=503)
