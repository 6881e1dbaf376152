"""Errors as RFC 9457 problem details."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from twinspace.errors import InvalidInput, TwinspaceError, json_path

log = logging.getLogger("twinspace.server")
PROBLEM_JSON = "application/problem+json"


def problem_response(error: TwinspaceError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    if "retry_after_s" in error.extra:  # a busy model, too many wrong pairing codes
        headers["Retry-After"] = str(error.extra["retry_after_s"])
    return JSONResponse(error.problem(), status_code=error.status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(TwinspaceError)
    async def _domain(_: Request, exc: TwinspaceError) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0]
        loc = tuple(err.get("loc", ()))
        where = json_path(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
        return problem_response(InvalidInput(f"{where}: {str(err.get('msg', 'invalid')).removeprefix('Value error, ')}"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        error = TwinspaceError(str(exc.detail))
        error.status, error.title, error.slug = exc.status_code, _TITLES.get(exc.status_code, "Error"), "http"
        return problem_response(error)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        error = TwinspaceError("the hub hit an unexpected error; the change was not applied. See the hub log.")
        error.status, error.title, error.slug = 500, "Internal error", "internal"
        return problem_response(error)


_TITLES = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 403: "Forbidden",
           413: "Content too large"}
