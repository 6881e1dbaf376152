"""Read and write `twinspace.home/1` directories (spec/home-format.md).

A home directory is `home.json` plus the content files it names (M3U lineup, XMLTV guide,
on-demand catalogue). Reading validates everything before anything is returned, so a bad
directory never half-imports. The content files are carried along as bytes so an export
writes back exactly what was imported; the catalogue parses them separately.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from twinspace.errors import FormatError, format_error_from_validation
from twinspace.home.model import FORMAT, Home

HOME_FILE = "home.json"
# Fields that are live hub state, not part of a plain home file; exported only when set.
_LIVE_FIELDS = ("panels", "playback")
# twinspace's extensions of the format, written only when they say something (a plain home
# exports exactly as the spec describes it).
_EXTENSION_DEFAULTS = {"kind": "home", "seats": []}


@dataclass
class HomeBundle:
    """A home and the raw content files that came with it (name -> bytes)."""

    home: Home
    files: dict[str, bytes] = field(default_factory=dict)


def read_json(path: Path) -> Any:
    """Parse a JSON file, reporting syntax errors with line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormatError(str(path), "", "file not found") from None
    except UnicodeDecodeError as e:
        raise FormatError(str(path), f"byte {e.start}", "not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise FormatError(str(path), f"line {e.lineno}, column {e.colno}", e.msg) from None


def parse_home(data: Any, source: str = HOME_FILE) -> Home:
    if not isinstance(data, dict):
        raise FormatError(source, "(top level)", "expected a JSON object")
    fmt = data.get("format")
    if fmt != FORMAT:
        raise FormatError(source, "format", f"expected {FORMAT!r}, found {fmt!r}")
    try:
        return Home.model_validate(data)
    except ValidationError as e:
        raise format_error_from_validation(source, e) from None


def read_home_dir(directory: str | os.PathLike[str]) -> HomeBundle:
    """Read a home directory; every named content file must exist and stay inside it."""
    root = Path(directory)
    if not root.is_dir():
        raise FormatError(str(root), "", "not a directory; give the folder that holds home.json")
    home_path = root / HOME_FILE
    home = parse_home(read_json(home_path), str(home_path))
    files: dict[str, bytes] = {}
    for key in ("m3u", "xmltv", "vod"):
        name = getattr(home.content, key)
        if name is None:
            continue
        target = (root / name).resolve()
        if root.resolve() not in target.parents:
            raise FormatError(str(home_path), f"content.{key}",
                              f"{name!r} points outside the home directory; keep content files beside home.json")
        if not target.is_file():
            raise FormatError(str(home_path), f"content.{key}", f"names {name!r}, which does not exist in {root}")
        files[name] = target.read_bytes()
    return HomeBundle(home, files)


def home_to_json(home: Home) -> dict[str, Any]:
    """The home in file form: format fields always, live state only when there is some."""
    data = home.model_dump(mode="json", exclude_none=True, exclude={"owner"} if home.owner is None else set())
    for key in _LIVE_FIELDS:
        if not data.get(key):
            data.pop(key, None)
    for key, default in _EXTENSION_DEFAULTS.items():
        if data.get(key) == default:
            data.pop(key, None)
    for room in data["rooms"]:
        for device in room["devices"]:
            if device.get("state") == {"on": False}:
                device.pop("state")
    return data


def write_home_dir(bundle: HomeBundle, directory: str | os.PathLike[str]) -> Path:
    """Write a home directory. Files are written to temporaries and renamed into place."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    outputs = {HOME_FILE: (json.dumps(home_to_json(bundle.home), indent=2, ensure_ascii=False) + "\n").encode()}
    outputs.update(bundle.files)
    for name, data in outputs.items():
        atomic_write(root / name, data)
    return root


def atomic_write(path: Path, data: bytes) -> None:
    """Write through a temporary (created mode 0600) renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
