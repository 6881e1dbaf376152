"""What the hub, access and content code need from a store, whatever database is behind it.

Two implementations satisfy it: `store.sqlite.Store` (the embedded default, one file) and
`store.postgres.PostgresStore` (several hub replicas on one PostgreSQL). Domain code types
against `HomeStore` and never imports a database driver.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Callable, ContextManager, Mapping, Optional, Protocol, Sequence, runtime_checkable

from twinspace.home.model import Home

JOURNAL_KEEP = 200  # journal entries kept per home (undo depth and audit window)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def numbered_migrations(folder: str) -> list[tuple[int, str, str]]:
    """The `NNNN_name.sql` scripts in the package folder `twinspace.store/<folder>`, in order."""
    found = []
    for entry in resources.files("twinspace.store").joinpath(folder).iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations in {folder}/ must be numbered 0001, 0002, ... without gaps; found {numbers}")
    return found


@dataclass(frozen=True)
class Change:
    """One committed action: the home after it, the home before it (for undo) and its journal text."""

    home: Home
    before: Home
    action: str
    args: dict[str, Any]
    message: str
    person: Optional[str]
    device: Optional[str]
    before_doc: Optional[str] = None  # `before` as JSON, when the caller made it already (Hub's working copy)

    def before_json(self) -> str:
        return self.before_doc if self.before_doc is not None else self.before.model_dump_json()


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    home_id: str
    version: int
    at: str
    person: Optional[str]
    device: Optional[str]
    action: str
    args: dict[str, Any]
    message: str
    undone: bool


class Cursor(Protocol):
    """What `execute` returns: rows that can be read by position and by column name."""

    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """The connection a transaction hands out. SQL uses `?` placeholders with a sequence of
    parameters, or `:name` ones with a mapping, on both stores."""

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ...) -> Cursor: ...


@runtime_checkable
class HomeStore(Protocol):
    path: Path  # the data directory's database path; its folder holds the hub key (hub_key.py)

    @property
    def schema_version(self) -> int:
        """The number of the last migration applied."""
        ...

    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""
        ...

    def transaction(self) -> ContextManager[Connection]:
        """A durable write transaction: committed when the block ends, rolled back if it raises."""
        ...

    def reading(self) -> ContextManager[Connection]:
        """A connection for reads that sees every transaction committed before it began."""
        ...

    def content_catalog(self, *, preferred_lang: str = "en") -> Any:
        """The homes' content catalogue in this store (content.services.CatalogStore)."""
        ...

    def home_ids(self) -> list[str]:
        """Every home's id, sorted."""
        ...

    def home_version(self, home_id: str) -> Optional[int]:
        """The home's version (bumped by every committed change), or None if there is no such home."""
        ...

    def load_home(self, home_id: str) -> tuple[Home, int]:
        """The home and its version; NotFound if there is none."""
        ...

    def create_home(self, home: Home, files: dict[str, bytes], *, replace: bool = False) -> int:
        """Store a whole home and its files in one transaction; Conflict if it exists and not `replace`."""
        ...

    def files(self, home_id: str) -> dict[str, bytes]:
        """The content files the home was imported with, byte for byte."""
        ...

    def commit_change(self, home: Home, expected_version: int, before: Home, *, action: str,
                      args: dict[str, Any], message: str, person: Optional[str],
                      device: Optional[str]) -> int:
        """Write the changed home and its journal entry atomically and durably; the new version.

        Conflict if the home is no longer at `expected_version` (or, on a fenced store, if this
        writer's ownership of the home was taken over)."""
        ...

    def commit_changes(self, home_id: str, expected_version: int, changes: Sequence[Change]) -> int:
        """Several consecutive changes of one home in one durable transaction (a group commit):
        change i becomes version `expected_version + i + 1`; all are written or none. The last
        version; Conflict as `commit_change`."""
        ...

    def journal(self, home_id: str, limit: int = 50) -> list[JournalEntry]:
        """The home's latest journal entries, newest first (at most JOURNAL_KEEP are kept)."""
        ...

    def undo_last(self, home_id: str, person: Optional[str], device: Optional[str],
                  check: Optional[Callable[[Home], None]] = None) -> tuple[Home, JournalEntry]:
        """Restore the home as it was before its latest change, which must be the newest one.

        `check` sees the restored home before anything is written and may refuse it by raising."""
        ...
