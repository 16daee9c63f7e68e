"""Browser sessions: the cookie, the key behind it, and CSRF tokens.

The review app signs in with the same API keys. A session cookie
(``Secure``, ``HttpOnly``, ``SameSite=Lax``) names a session in the store
(:mod:`vidclip.jobs.sessions`); each request checks the key it was made with
again. Requests that change something and ride on the cookie must carry the
session's CSRF token: a form field ``csrf_token`` for pages, an
``X-CSRF-Token`` header for the JSON API; a request with an ``X-API-Key``
needs none (a browser never adds that header on its own). The sign-in form,
before any session exists, is guarded by a double-submit cookie.

In development mode without configured keys, the pages make a session for
``dev`` on first sight, so their forms carry a token as in production.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

from api.errors import ApiError
from vidclip.jobs.keystore import Authenticator, KeyRejected
from vidclip.jobs.principal import DEV_PRINCIPAL
from vidclip.jobs.sessions import SessionInfo

SESSION_COOKIE = "vidclip_session"
#: Only for the sign-in form, before a session exists.
LOGIN_CSRF_COOKIE = "vidclip_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def dev_open(settings) -> bool:
    """Development mode with no keys in settings: no sign-in."""
    return settings.dev_mode and not settings.has_configured_keys


def current_session(request: Request) -> SessionInfo | None:
    """The request's live session with its principal as the key says now; None
    without a cookie, for an unknown or expired one, or once its key was revoked.
    Looked up once per request."""
    if hasattr(request.state, "ui_session"):
        return request.state.ui_session
    found = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        found = request.app.state.store.sessions.find(token)
    if found is not None:
        found = _recheck(request, found)
    request.state.ui_session = found
    return found


def _recheck(request: Request, info: SessionInfo) -> SessionInfo | None:
    settings = request.app.state.settings
    if info.key_hash is None:  # a development session
        return info if dev_open(settings) else None
    authenticate: Authenticator = request.app.state.authenticate
    try:
        principal = authenticate.recheck(info.key_id, info.key_hash)
    except KeyRejected:
        return None
    return SessionInfo(principal, info.key_id, info.key_hash, info.csrf)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.session_ttl_s), path="/",
                        secure=settings.cookie_secure, httponly=True, samesite="lax")


def dev_session(request: Request) -> SessionInfo:
    """A session for ``dev`` (development mode); the page that made it sets the cookie."""
    store, settings = request.app.state.store, request.app.state.settings
    token, info = store.sessions.create(DEV_PRINCIPAL, key_id=None, key_hash=None,
                                        ttl_s=settings.session_ttl_s)
    request.state.new_session_token = token
    request.state.ui_session = info
    return info


def end_session(request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        request.app.state.store.sessions.delete(token)
    response.delete_cookie(SESSION_COOKIE, path="/")


def same_token(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def csrf_refused() -> ApiError:
    return ApiError(403, "csrf_failed", "this request changes something but carries no valid "
                    "CSRF token; reload the page and try again.")


def check_csrf(session: SessionInfo, given: str | None) -> None:
    if not same_token(session.csrf, given):
        raise csrf_refused()


def login_token(request: Request) -> str:
    """The sign-in form's token: the double-submit cookie's value, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def set_login_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, path="/ui",
                        secure=settings.cookie_secure, httponly=True, samesite="strict")
