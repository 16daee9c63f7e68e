"""Typed dependencies: settings, the store, the queue, who is calling, and their job.

``PrincipalDep`` is the caller (key name, role, tenant); every ``/v1`` route
has one. ``require_role(Role.REVIEWER)`` guards a route by role, and
``OwnedJobDep`` is the job named in the path if it belongs to the caller's
tenant: another tenant's job is a 404, the same answer as no job, so job ids
of other tenants are not even confirmed to exist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Request, Security
from fastapi.security import APIKeyCookie, APIKeyHeader
from starlette.convertors import Convertor, register_url_convertor

from api.errors import ApiError, not_found
from api.queue import JobQueue
from api.session import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, check_csrf, current_session
from vidclip.jobs.apikeys import key_id_of
from vidclip.jobs.keystore import Authenticator, KeyRejected
from vidclip.jobs.limits import SubmissionLimits
from vidclip.jobs.lockouts import AuthThrottle, client_address
from vidclip.jobs.principal import DEV_PRINCIPAL, Principal, Role
from vidclip.jobs.settings import Settings
from vidclip.jobs.store import JobStore
from vidclip.jobs.tables import Job

log = logging.getLogger(__name__)

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                               description="A key from `vidclip keys create`, VIDCLIP_KEYS "
                               "or VIDCLIP_API_KEYS.")


_session_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                               description="The review app's session (sign in at /ui/sign-in); "
                               f"requests that change something also need an {CSRF_HEADER} "
                               "header with the session's token.")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> JobStore:
    return request.app.state.store


def get_queue(request: Request) -> JobQueue:
    return request.app.state.queue


def get_limits(request: Request) -> SubmissionLimits:
    return request.app.state.limits


SettingsDep = Annotated[Settings, Depends(get_settings)]
LimitsDep = Annotated[SubmissionLimits, Depends(get_limits)]
StoreDep = Annotated[JobStore, Depends(get_store)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "ApiKey"})


def get_principal(request: Request, settings: SettingsDep,
                  key: Annotated[str | None, Security(_api_key_header)] = None,
                  cookie: Annotated[str | None, Security(_session_cookie)] = None) -> Principal:
    """The caller: the X-API-Key, else the review app's session cookie (with the
    CSRF header on a request that changes something). Rejected keys count against
    the client's address (:mod:`vidclip.jobs.lockouts`). A plain ``def``: FastAPI
    runs it in a thread, since it may query."""
    if key is None:
        session = current_session(request) if cookie else None
        if session is not None:
            if request.method not in SAFE_METHODS:
                check_csrf(session, request.headers.get(CSRF_HEADER))
            return session.principal
        if settings.dev_mode and not settings.has_configured_keys:
            return DEV_PRINCIPAL
        raise _unauthorized("missing X-API-Key header.")
    throttle: AuthThrottle = request.app.state.auth_throttle
    address = client_address(request.client.host if request.client else None)
    throttle.check(address)  # a locked-out address is refused before its key is looked at
    authenticate: Authenticator = request.app.state.authenticate
    try:
        principal = authenticate(key)
    except KeyRejected as exc:
        log.debug("%s %s refused: %s", request.method, request.url.path, exc)
        failure = throttle.failed(address, key_id_of(key), "API key") if key.strip() else None
        if failure is not None and failure.locked is not None:
            raise failure.locked from exc
        raise _unauthorized(str(exc)) from exc
    # Who acted, by the key's name (never the key): the audit trail at debug level.
    log.debug("%s %s by key %r of tenant %r (%s)", request.method, request.url.path,
              principal.name, principal.tenant, principal.role.value)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(role: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets through keys whose role includes ``role``
    (``Depends(require_role(Role.REVIEWER))``); others get 403."""
    def check(principal: PrincipalDep) -> Principal:
        if not principal.can(role):
            raise ApiError(403, "forbidden", f"this needs a {role.value} or higher key; "
                           f"{principal.name!r} is a {principal.role.value}.")
        return principal

    check.__name__ = f"require_{role.value}"
    return check


class _JobIdConvertor(Convertor):
    """Routes match job ids only: ``GET /v1/jobs/batch`` is a 405 (batch takes POST),
    not a job id that failed validation."""

    regex = "[0-9a-f]{32}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("job_id", _JobIdConvertor())
#: Use as ``f"/jobs/{JOB_ID}"`` in route paths (the schema shows ``{job_id}``).
JOB_ID = "{job_id:job_id}"

JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The job's id.")]


def get_owned_job(job_id: JobId, store: StoreDep, principal: PrincipalDep) -> Job:
    job = store.get(job_id, tenant=principal.tenant)
    if job is None:
        raise not_found(job_id)
    return job


OwnedJobDep = Annotated[Job, Depends(get_owned_job)]
