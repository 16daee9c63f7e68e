"""``create_app(settings)``: the FastAPI application.

    uvicorn --factory api.app:create_app       # settings from VIDCLIP_* variables
    vidclip serve                              # the same, with the settings' host and port
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from starlette.concurrency import run_in_threadpool

from api import errors, metrics, ui
from api.deps import get_principal
from api.metrics import ServiceCollector
from api.queue import JobQueue
from api.routers import (
    health,
    info,
    jobs,
    keys,
    media,
    moderation,
    policies,
    results,
    reviews,
    revisions,
    search,
)
from vidclip import __version__, logs
from vidclip.jobs.keystore import Authenticator
from vidclip.jobs.limits import SubmissionLimits
from vidclip.jobs.lockouts import AuthThrottle
from vidclip.jobs.media import sweep_orphan_uploads
from vidclip.jobs.settings import Settings
from vidclip.jobs.store import JobStore, check_safe

log = logging.getLogger(__name__)

DESCRIPTION = """Scenes, zero-shot tags, moderation flags and captions for videos.

Submit a video (`POST /v1/jobs`: multipart upload, or JSON with a `url` or `path`),
follow `GET /v1/jobs/{id}` until `succeeded`, then fetch `/result`, `/captions.vtt`
(the speech's captions; 404 `no_transcript` without a transcript), `/scenes.vtt`
(the picture, per scene) or `/tags.csv`. Every request under `/v1` needs an `X-API-Key` header;
a key has a role (`submitter`, `reviewer`, `admin`) and a tenant, and sees only its
tenant's jobs (another tenant's job is a 404).
Errors always look like `{"error": {"code", "message", "detail"?}}`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    logs.add_secrets(settings.secret_values())
    check_safe(settings)  # refuse to start exposed (no API key outside dev mode)
    for note in settings.warnings():
        log.warning(note)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        store = JobStore(settings.database_url)
        store.create_schema()
        settings.media_dir.mkdir(parents=True, exist_ok=True)
        app.state.store, app.state.queue = store, JobQueue(settings)
        app.state.authenticate = Authenticator(settings, store.keys)
        app.state.limits = SubmissionLimits(settings)
        app.state.auth_throttle = AuthThrottle(settings)
        app.state.metrics = ServiceCollector(store, settings, app.state.limits.client)
        sweeper = asyncio.create_task(_sweep_uploads(settings, store))
        try:
            yield
        finally:
            sweeper.cancel()
            app.state.queue.close()
            store.close()

    app = FastAPI(title="vidclip", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan)
    app.state.settings = settings
    errors.install(app)
    if settings.metrics_enabled:
        metrics.install(app)
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(get_principal)],
                   responses=errors.responses(401, 429))
    v1.include_router(jobs.router)
    v1.include_router(results.router)
    v1.include_router(keys.router)
    v1.include_router(info.router)
    v1.include_router(media.router)
    v1.include_router(revisions.router)
    v1.include_router(reviews.router)
    v1.include_router(moderation.router)
    v1.include_router(policies.router)
    if settings.search_enabled:
        v1.include_router(search.router)
    app.include_router(v1)
    app.include_router(health.router)
    ui.install(app)
    return app


def create_app_from_env() -> FastAPI:
    """The factory of each process ``vidclip serve --workers N`` starts: settings and
    the log format come from the environment."""
    settings = Settings()
    logs.configure(settings.log_format, logging.INFO)
    return create_app(settings)


async def _sweep_uploads(settings: Settings, store: JobStore) -> None:
    """Now and then, remove uploads an API process was killed in the middle of."""
    every = min(max(settings.upload_stale_s / 2, 1.0), 300.0)
    while True:
        try:
            removed = await run_in_threadpool(sweep_orphan_uploads, settings, store.existing_ids,
                                              settings.upload_stale_s)
            if removed:
                log.info("removed %d abandoned partial uploads", len(removed))
        except Exception as exc:  # the store may be down for a moment; try next time
            log.warning("sweep of abandoned uploads failed: %s", type(exc).__name__)
        await asyncio.sleep(every)
