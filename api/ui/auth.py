"""Signing in and out of the review app, and who a page is shown to.

``UiUserDep`` is the signed-in principal of a page; without a session it
redirects to the sign-in form (in development mode without keys it makes a
session for ``dev`` instead). Pages behind a role show why they refuse.
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
from vidclip.jobs.keystore import Authenticator, KeyRejected
from vidclip.jobs.principal import Principal, Role
from vidclip.jobs.sessions import SessionInfo

router = APIRouter(prefix="/ui", include_in_schema=False)


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
    authenticate: Authenticator = request.app.state.authenticate
    try:
        principal, key_id, key_hash = await run_in_threadpool(authenticate.identify, key.strip())
    except KeyRejected:
        message = ("Enter your API key." if not key.strip() else
                   "That key was not accepted: it is unknown or was revoked.")
        return render(request, "sign_in.html", 401, csrf=cookie, next=_safe_next(next),
                      error=message)
    settings = request.app.state.settings
    token, _ = await run_in_threadpool(request.app.state.store.sessions.create, principal,
                                       key_id=key_id, key_hash=key_hash,
                                       ttl_s=settings.session_ttl_s)
    response = RedirectResponse(_safe_next(next), 303)
    set_session_cookie(request, response, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/ui")
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: UiSessionDep,
             csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=200)] = ""):
    checked_form(session, csrf_token)
    response = RedirectResponse("/ui/sign-in", 303)
    end_session(request, response)
    return response
