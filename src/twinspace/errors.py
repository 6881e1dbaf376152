"""Errors a person can act on.

Every error carries an HTTP status, a short title and a detail sentence that says what
went wrong and what to do about it. The server turns them into RFC 9457 problem details
and the CLI prints the same message, so there is one wording for both.
"""

from __future__ import annotations

from typing import Any

MAX_DETAIL = 400  # characters of a problem's detail; input echoed in it is cut to an excerpt


def excerpt(text: str, limit: int = MAX_DETAIL) -> str:
    """`text` cut in the middle to at most `limit` characters: a message's start names the
    problem and its end says what to do; a 100 MB id echoed between them is not sent back."""
    if len(text) <= limit:
        return text
    keep = (limit - 3) // 2
    return f"{text[:keep]}…[{len(text) - 2 * keep} characters]…{text[-keep:]}"


class TwinspaceError(Exception):
    """Base of every error shown to a user."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def problem(self) -> dict[str, Any]:
        """The error as an RFC 9457 problem details object."""
        body: dict[str, Any] = {
            "type": f"https://twinspace.dev/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": excerpt(self.detail),
        }
        body.update({k: excerpt(v) if isinstance(v, str) else v for k, v in self.extra.items()})
        return body


class InvalidInput(TwinspaceError):
    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class NotFound(TwinspaceError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(TwinspaceError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class Unauthorized(TwinspaceError):
    status = 401
    title = "Unauthorized"
    slug = "unauthorized"


class Forbidden(TwinspaceError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotAllowed(TwinspaceError):
    """The request is understood but the home's rules refuse it (ratings, permissions)."""

    status = 403
    title = "Not allowed"
    slug = "not-allowed"


class DeviceNotResponding(TwinspaceError):
    """A real device did not confirm a command in time; the detail names it and what happened."""

    status = 504
    title = "Device did not respond"
    slug = "device-not-responding"


class PlacementImpossible(TwinspaceError):
    """No surface can take the panel; the detail says why in the viewer's terms."""

    status = 422
    title = "Cannot place panel"
    slug = "placement-impossible"


class FormatError(TwinspaceError):
    """A file to import is malformed. Names the file, where in it, and what is wrong."""

    status = 422
    title = "Malformed file"
    slug = "malformed-file"

    def __init__(self, file: str, where: str, message: str, **extra: Any) -> None:
        location = f"{file}: {where}: " if where else f"{file}: "
        super().__init__(location + message, file=file, where=where, **extra)
        self.file = file
        self.where = where
        self.message = message


def json_path(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a JSON path: ('rooms', 0, 'size') -> 'rooms[0].size'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def format_error_from_validation(file: str, exc: Any, prefix: str = "") -> FormatError:
    """Turn a pydantic ValidationError into a FormatError naming the first bad path.

    `prefix` is prepended to the path when the validated object sits inside a larger file.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    # Union members repeat the same failure once per branch; the location without the
    # branch tag is what a person can find in the file.
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith(("function-", "tagged-union"))))
    where = json_path(loc)
    if prefix:
        where = prefix + ("" if where.startswith("[") else ".") + where if where != "(top level)" else prefix
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    msg = first["msg"].removeprefix("Value error, ")
    return FormatError(file, where, msg + more)
