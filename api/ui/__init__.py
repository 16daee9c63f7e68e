"""The review app: server-rendered pages under ``/ui`` over the same store and
keys as the JSON API, with small ES modules for the player and live updates.
No build step: templates and static files ship in the package."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.ui import auth, job_pages, review_pages
from api.ui.auth import UiProblem, UiRedirect
from api.ui.templating import STATIC, render


def install(app: FastAPI) -> None:
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    for module in (auth, job_pages, review_pages):
        app.include_router(module.router)

    @app.exception_handler(UiRedirect)
    async def _redirect(request: Request, exc: UiRedirect):
        return RedirectResponse(exc.location, 303)

    @app.exception_handler(UiProblem)
    async def _problem(request: Request, exc: UiProblem):
        return render(request, "problem.html", exc.status, title=exc.title, message=exc.message)
