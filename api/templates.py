"""Which documented route a request path is: ``/v1/jobs/3f9a…`` is
``/v1/jobs/{job_id}``. Read from the app's own OpenAPI paths, so metrics get
bounded labels (never a job id) and a 405 can name every method of a path
(routers included into the app are not a flat list of routes to search)."""

from __future__ import annotations

import re
from functools import cached_property

from fastapi import FastAPI

_PARAM = re.compile(r"\{[^/}]+\}")
#: Routes outside the schema that keep their own path as their label.
_UNDOCUMENTED = ("/metrics", "/docs", "/redoc", "/openapi.json")


class RouteTemplates:
    def __init__(self, app: FastAPI):
        self.app = app

    @cached_property
    def _table(self) -> list[tuple[re.Pattern, str, frozenset[str]]]:
        rows = []
        for path, item in self.app.openapi().get("paths", {}).items():
            pattern = re.compile("^" + _PARAM.sub("[^/]+", re.escape(path).replace(
                r"\{", "{").replace(r"\}", "}")) + "$")
            methods = frozenset(m.upper() for m in item)
            rows.append((pattern, path, methods))
        # Literal paths before templated ones: /v1/jobs/batch is not a job id.
        rows.sort(key=lambda row: row[1].count("{"))
        return rows

    def match(self, path: str) -> tuple[str, frozenset[str]] | None:
        """The template and its methods, or None for a path no route has."""
        for pattern, template, methods in self._table:
            if pattern.match(path):
                return template, methods
        return None

    def label(self, path: str) -> str:
        found = self.match(path)
        if found is not None:
            return found[0]
        return path if path in _UNDOCUMENTED else "unmatched"

    def allow(self, path: str) -> str:
        found = self.match(path)
        methods = set(found[1]) if found else set()
        if "GET" in methods:
            methods.add("HEAD")
        return ", ".join(sorted(methods))


def templates(app: FastAPI) -> RouteTemplates:
    """The app's table, built on first use (the schema is complete by then)."""
    table = getattr(app.state, "route_templates", None)
    if table is None:
        table = app.state.route_templates = RouteTemplates(app)
    return table
