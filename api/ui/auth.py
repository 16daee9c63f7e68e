"""Signing in and out of the review app, and who a page is shown to.

``UiUserDep`` is the signed-in principal of a page; without a session it
redirects to the sign-in form (in development mode without keys it makes a
session for ``dev`` instead). Pages behind a role show why they refuse.
Failed sign-ins are counted by address and by key id, and lock out
(:mod:`vidclip.jobs.lockouts`): the form then answers 429 and says for how long.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.session import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    check_csrf,
    current_session,
    dev_open,
    dev_session,
    end_session,
    login_token,
    same_token,
    set_login_cookie,
    set_session_cookie,
)
from api.ui.templating import render
from vidclip.jobs.apikeys import key_id_of
from vidclip.jobs.keystore import KeyRejected
from vidclip.jobs.lockouts import AuthThrottle, LockedOut, client_address
from vidclip.jobs.principal import Principal, Role
from vidclip.jobs.sessions import SessionInfo

router = APIRouter(prefix="/ui", include_in_schema=False)
#: A failed sign-in says how many attempts are left once this few are.
WARN_BELOW = 3


@dataclass
class UiRedirect(Exception):
    location: str


@dataclass
class UiProblem(Exception):
    """A page that cannot be shown, with the reason a person reads."""

    status: int
    title: str
    message: str


def ui_session(request: Request) -> SessionInfo:
    session = current_session(request)
    if session is not None:
        return session
    if dev_open(request.app.state.settings):
        return dev_session(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise UiRedirect(f"/ui/sign-in?next={quote(path, safe='')}")


def ui_user(session: Annotated[SessionInfo, Depends(ui_session)]) -> Principal:
    return session.principal


UiSessionDep = Annotated[SessionInfo, Depends(ui_session)]
UiUserDep = Annotated[Principal, Depends(ui_user)]


def require(principal: Principal, role: Role, what: str) -> None:
    if not principal.can(role):
        raise UiProblem(403, f"{what} is for {role.value}s",
                        f"You are signed in as {principal.name}, a {principal.role.value}. "
                        f"Ask an admin of {principal.tenant} for a {role.value} key.")


def checked_form(session: SessionInfo, token: str | None) -> None:
    """Every form that changes something carries the session's CSRF token."""
    try:
        check_csrf(session, token)
    except Exception as exc:
        raise UiProblem(403, "This form has expired",
                        "The form was not sent with this session's security token, so "
                        "nothing was changed. Go back, reload the page and try again.") from exc


def _safe_next(target: str | None) -> str:
    """Only a path of this app (no scheme, no host, no ``//``): no open redirect."""
    if not target:
        return "/ui/jobs"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/ui") or target.startswith("//"):
        return "/ui/jobs"
    return target


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None):
    if current_session(request) is not None or dev_open(request.app.state.settings):
        return RedirectResponse(_safe_next(next), 303)
    token = login_token(request)
    response = render(request, "sign_in.html", csrf=token, next=_safe_next(next), error=None)
    set_login_cookie(request, response, token)
    return response


@router.post("/sign-in")
async def sign_in(request: Request, key: Annotated[str, Form(max_length=500)] = "",
                  next: Annotated[str, Form(max_length=2000)] = "",
                  csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = ""):
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not same_token(cookie, csrf_token):
        raise UiProblem(403, "This form has expired", "The sign-in form was not sent with its "
                        "security token. Reload the sign-in page and try again.")
    key = key.strip()
    throttle: AuthThrottle = request.app.state.auth_throttle
    address = client_address(request.client.host if request.client else None)

    def refused(status: int, message: str, retry_after_s: int | None = None):
        response = render(request, "sign_in.html", status, csrf=cookie, next=_safe_next(next),
                          error=message)
        if retry_after_s is not None:
            response.headers["Retry-After"] = str(retry_after_s)
        return response

    try:
        await run_in_threadpool(throttle.check, address, key_id_of(key), sign_in=True)
        principal, key_id, key_hash = await run_in_threadpool(request.app.state.authenticate
                                                              .identify, key)
    except LockedOut as exc:
        return refused(429, _sentence(exc.message), exc.retry_after_s)
    except KeyRejected:
        if not key:
            return refused(401, "Enter your API key.")
        failure = await run_in_threadpool(throttle.failed, address, key_id_of(key), "sign-in")
        if failure is not None and failure.locked is not None:
            return refused(429, _sentence(failure.locked.message), failure.locked.retry_after_s)
        warning = ""
        if failure is not None and failure.remaining <= WARN_BELOW:
            warning = (f" {failure.remaining} more failed "
                       f"attempt{'s' if failure.remaining != 1 else ''} and sign-in from here "
                       "is paused for a while.")
        return refused(401, "That key was not accepted: it is unknown or was revoked." + warning)
    await run_in_threadpool(throttle.succeeded, address, key_id)
    settings = request.app.state.settings
    token, _ = await run_in_threadpool(request.app.state.store.sessions.create, principal,
                                       key_id=key_id, key_hash=key_hash,
                                       ttl_s=settings.session_ttl_s)
    response = RedirectResponse(_safe_next(next), 303)
    set_session_cookie(request, response, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui")
    return response


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


@router.post("/sign-out")
def sign_out(request: Request, session: UiSessionDep,
             csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = ""):
    checked_form(session, csrf_token)
    response = RedirectResponse("/ui/sign-in", 303)
    end_session(request, response)
    return response
