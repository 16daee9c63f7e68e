"""Rendering the review app's pages: one Jinja2 environment with autoescape
on for every template (user text is always escaped), security headers on
every page, and the cookie of a session made during the request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader
from starlette.routing import Match

from api.session import set_session_cookie
from vidclip.jobs.principal import Role

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

#: Scripts and styles from this origin only (no inline script, no inline
#: style: the pages' JavaScript places timeline segments through the CSSOM),
#: media and images from this origin, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
           "Cache-Control": "no-store"}


def timecode(seconds: float | None) -> str:
    """``m:ss.s`` (``h:mm:ss.s`` past an hour), as players show times."""
    if seconds is None:
        return ""
    tenths = int(round(float(seconds) * 10))
    hours, rest = divmod(tenths, 36000)
    minutes, rest = divmod(rest, 600)
    text = f"{minutes}:{rest // 10:02d}.{rest % 10}"
    return f"{hours}:{minutes:02d}:{rest // 10:02d}.{rest % 10}" if hours else text


def spoken_time(seconds: float | None) -> str:
    """A time as a screen reader should say it: "1 minute 5.2 seconds"."""
    if seconds is None:
        return ""
    minutes, secs = divmod(round(float(seconds), 1), 60)
    secs_text = f"{secs:g} second{'s' if secs != 1 else ''}"
    if minutes:
        return f"{int(minutes)} minute{'s' if minutes != 1 else ''} {secs_text}"
    return secs_text


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def has_route(app, path: str, method: str = "GET") -> bool:
    """Whether a request would reach a route (asked the way the router matches, so
    routes of included routers count too)."""
    scope = {"type": "http", "path": path, "method": method, "root_path": "", "path_params": {}}
    return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)


def features(app) -> dict[str, bool]:
    """What the pages offer depends on the routes the app has: search is shown only
    where ``/v1/search`` exists (it comes with the archive index)."""
    return {"search": has_route(app, "/v1/search")}


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(timecode=timecode, spoken=spoken_time, percent=percent)
    return env


ENV = _environment()


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page, with the signed-in user (if any) and the CSRF token in its context."""
    session = getattr(request.state, "ui_session", None)
    user = session.principal if session else None
    page = ENV.get_template(template).render(
        request=request, user=user, can_review=bool(user and user.can(Role.REVIEWER)),
        csrf=session.csrf if session else context.pop("csrf", ""),
        features=features(request.app), **context)
    response = HTMLResponse(page, status_code=status_code, headers=HEADERS)
    pending = getattr(request.state, "new_session_token", None)
    if pending:
        set_session_cookie(request, response, pending)
    return response
