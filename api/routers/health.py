"""/healthz (the process answers) and /readyz (store and broker reachable)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import QueueDep, StoreDep
from api.errors import responses
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The API process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses=responses(503),
            summary="The job store and the broker are reachable")
def readyz(store: StoreDep, queue: QueueDep):
    checks = {}
    for name, probe in (("store", store.ping), ("broker", queue.ping)):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # any failure means not ready; say which
            checks[name] = f"unreachable: {type(exc).__name__}"
    if all(v == "ok" for v in checks.values()):
        return Health(status="ok", checks=checks)
    failed = ", ".join(k for k, v in checks.items() if v != "ok")
    return JSONResponse({"error": {"code": "not_ready", "message": f"not reachable: {failed}.",
                                   "detail": checks}}, status_code=503)
