"""Typed dependencies: settings, the store, the queue, and the API-key check."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from api.errors import ApiError
from api.queue import JobQueue
from vidclip.jobs.settings import Settings
from vidclip.jobs.store import JobStore

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                               description="One of VIDCLIP_API_KEYS.")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> JobStore:
    return request.app.state.store


def get_queue(request: Request) -> JobQueue:
    return request.app.state.queue


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[JobStore, Depends(get_store)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]


def require_api_key(settings: SettingsDep,
                    key: Annotated[str | None, Security(_api_key_header)] = None) -> None:
    if settings.dev_mode and not settings.api_keys:
        return
    # Compare against every key in constant time, so timing tells nothing.
    ok = False
    for allowed in settings.api_keys:
        ok |= key is not None and hmac.compare_digest(key.encode(),
                                                      allowed.get_secret_value().encode())
    if not ok:
        message = ("missing X-API-Key header." if key is None else "the X-API-Key is not valid.")
        raise ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "ApiKey"})
