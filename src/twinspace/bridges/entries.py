"""Saved bridge entries: a home's credentials and pairing keys for each integration.

They are secrets (a Home Assistant token, a TV's client key): kept in the data directory
under `bridges/`, the directory mode 0700 and each file 0600, written atomically, never in
the home model, so never in exports, sync or the journal. `redact` is what logs and
diagnostics show instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

from twinspace.errors import InvalidInput
from twinspace.home.homefile import atomic_write

SECRET_KEYS = frozenset({"token", "access_token", "client_key", "password", "media_token"})
REDACTED = "**REDACTED**"


def redact(data: Any) -> Any:
    """A copy of `data` with every secret value replaced."""
    if isinstance(data, dict):
        return {k: REDACTED if k in SECRET_KEYS and v else redact(v) for k, v in data.items()}
    if isinstance(data, list):
        return [redact(v) for v in data]
    return data


class Entries:
    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "bridges"

    def path(self, home_id: str, domain: str) -> Path:
        if not home_id or "/" in home_id or home_id.startswith("."):
            raise InvalidInput(f"{home_id!r} is not a home id")
        return self.root / home_id / f"{domain}.json"

    def load(self, home_id: str, domain: str) -> Optional[dict[str, Any]]:
        path = self.path(home_id, domain)
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise InvalidInput(f"{path} is not valid JSON ({e}); set the bridge up again with "
                               f"`twinspace bridge {domain}`") from None

    def save(self, home_id: str, domain: str, entry: dict[str, Any]) -> Path:
        path = self.path(home_id, domain)
        for d in (self.root, path.parent):
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(d, 0o700)
        atomic_write(path, (json.dumps(entry, indent=2) + "\n").encode())  # its temporary is created 0600
        os.chmod(path, 0o600)
        return path

    def homes(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir()) if self.root.is_dir() else []
