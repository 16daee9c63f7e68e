"""One error shape for every failure: ``{"error": {"code", "message", "detail"?}}``."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.templates import templates
from vidclip.errors import ConfigError, VidclipError
from vidclip.jobs.errors import (
    IngestError,
    NoSpaceError,
    TooLargeError,
    TransientError,
    UnsupportedMediaError,
)
from vidclip.jobs.limits import LimitExceeded

log = logging.getLogger(__name__)

STORE_RETRY_AFTER_S = 5


class ErrorInfo(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["no job with id 3f9a0c5e2b7d4e8f9a1b2c3d4e5f6a7b."])
    detail: Any | None = None


class ErrorBody(BaseModel):
    error: ErrorInfo


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, detail: Any = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.detail, self.headers = detail, headers


def from_vidclip(exc: VidclipError) -> ApiError:
    """The HTTP answer to a failure of the shared layer at submission time."""
    if isinstance(exc, LimitExceeded):
        return ApiError(429, exc.code, exc.message,
                        headers={"Retry-After": str(exc.retry_after_s)})
    if isinstance(exc, NoSpaceError):
        return ApiError(507, exc.code, exc.message)
    if isinstance(exc, TooLargeError):
        status = 413
    elif isinstance(exc, UnsupportedMediaError):
        status = 415
    elif isinstance(exc, (IngestError, ConfigError, TransientError)):
        status = 422
    else:
        status = 400
    return ApiError(status, exc.code, exc.message)


def not_found(job_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no job with id {job_id}.")


def _body(code: str, message: str, detail: Any = None) -> dict:
    error = {"code": code, "message": message}
    if detail is not None:
        error["detail"] = detail
    return {"error": error}


def invalid_request(errors: Sequence[Mapping[str, Any]]) -> ApiError:
    """A 422 from pydantic's error list: the first error in the message, all in detail."""
    detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
              for e in errors]
    first: dict[str, Any] = detail[0] if detail else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"] if p != "body")
    message = f"{where}: {first['msg']}" if where else str(first["msg"])
    return ApiError(422, "invalid_request", message, detail)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse(_body(exc.code, exc.message, exc.detail), exc.status,
                            headers=exc.headers)

    @app.exception_handler(VidclipError)
    async def _vidclip_error(request: Request, exc: VidclipError):
        return await _api_error(request, from_vidclip(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return await _api_error(request, invalid_request(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized",
                 403: "forbidden"}
        headers = getattr(exc, "headers", None)
        if exc.status_code == 400:  # FastAPI could not parse a JSON body
            return await _api_error(request, ApiError(
                422, "invalid_request", "the request body is not valid JSON."))
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": templates(request.app).allow(request.url.path)}
        return JSONResponse(_body(codes.get(exc.status_code, "http_error"), str(exc.detail)),
                            exc.status_code, headers=headers)

    async def _store_down(request: Request, exc: Exception):
        # A restart or outage of the database: say so, and when to come back.
        log.warning("job store unreachable on %s %s: %s", request.method, request.url.path,
                    type(exc).__name__)
        return await _api_error(request, ApiError(
            503, "store_unavailable", "the job store is unreachable; try again shortly.",
            headers={"Retry-After": str(STORE_RETRY_AFTER_S)}))

    for kind in (OperationalError, InterfaceError, SQLAlchemyTimeoutError):
        app.add_exception_handler(kind, _store_down)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(_body("internal_error", "the server hit an unexpected error."), 500)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers of a route."""
    text = {400: "Bad request", 401: "Missing, wrong or revoked X-API-Key",
            403: "The key's role does not allow this", 404: "No such job",
            409: "Conflict with the job's state", 413: "Upload too large",
            415: "Not a video", 422: "Invalid request",
            429: "Too many submissions or queued jobs for this key, or too many rejected "
                 "keys from this address (see Retry-After)",
            503: "Broker or store unreachable", 507: "No disk space left for uploads"}
    return {s: {"model": ErrorBody, "description": text.get(s, "Error")} for s in statuses}
