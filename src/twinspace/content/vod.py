"""On-demand titles: the `vod.json` file of a home (a JSON list of titles)."""

from __future__ import annotations

import json
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from twinspace.content.sources import Source, read_bytes, source_name, where
from twinspace.errors import FormatError


class VodTitle(BaseModel):
    # Strict: a file format, so "3000" is not a duration. Unknown fields are kept for export.
    model_config = ConfigDict(strict=True, extra="allow", frozen=True)

    id: str = Field(min_length=1, pattern=r"^\S+$")
    title: str = Field(min_length=1)
    kind: str = Field(default="movie", min_length=1)  # movie, series, immersive, ...
    year: Optional[int] = Field(default=None, ge=1870, le=2200)
    duration_s: Optional[int] = Field(default=None, gt=0)
    rating: Optional[str] = None
    genres: list[str] = []
    description: str = ""
    projection: Optional[Literal["flat", "180", "360"]] = None  # immersive video layout

    @property
    def ref(self) -> str:
        return f"vod:{self.id}"


_TITLES = TypeAdapter(list[VodTitle])


def json_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a JSON path: (3, 'duration_s') -> '[3].duration_s'."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".") or "(top level)"


def parse_vod(source: Source, *, name: str | None = None) -> list[VodTitle]:
    """Validate a vod.json; FormatError names the file and the JSON path of the first problem."""
    file = source_name(source, name)
    data = read_bytes(source, file)
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FormatError(file, "", "is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise FormatError(file, where(e.lineno, e.colno), f"invalid JSON: {e.msg}") from None
    try:
        titles = _TITLES.validate_python(raw)
    except ValidationError as e:
        errors = e.errors()
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise FormatError(file, json_path(errors[0]["loc"]), errors[0]["msg"] + more) from None
    first_index: dict[str, int] = {}
    for index, title in enumerate(titles):
        if title.id in first_index:
            first = first_index[title.id]
            raise FormatError(file, f"[{index}].id", f"duplicate id {title.id!r} (first used at [{first}])")
        first_index[title.id] = index
    return titles
