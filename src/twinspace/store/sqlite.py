"""SQLite store: WAL, ordered migrations, and durable commits.

Every acknowledged change is committed with `synchronous=FULL` before the caller hears
back, so it survives the process being killed. Writers take `BEGIN IMMEDIATE` so the CLI
and a running hub can share one database file safely.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from twinspace.errors import Conflict, NotFound
from twinspace.hub_key import private_dir, private_file
from twinspace.home.model import Home

JOURNAL_KEEP = 200  # journal entries kept per home (undo depth and audit window)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def migrations() -> list[tuple[int, str, str]]:
    """The migration scripts shipped with the package, as (number, name, sql), in order."""
    found = []
    for entry in resources.files("twinspace.store").joinpath("migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 0001, 0002, ... without gaps; found {numbers}")
    return found


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


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            private_dir(self.path.parent)  # a data directory it creates is 0700
            private_file(self.path)  # 0600; SQLite gives its -wal and -shm files the same mode
        self._lock = threading.RLock()
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=30000")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    # --- schema ----------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._lock:
            current = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for number, name, sql in migrations():
                if number <= current:
                    continue
                # One transaction per migration: a failed one leaves the previous version intact.
                try:
                    self.conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
                except sqlite3.Error as e:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise RuntimeError(f"database migration {name} failed: {e}") from e

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; rolled back if the block raises."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self.conn

    # --- homes -----------------------------------------------------------------------

    def home_ids(self) -> list[str]:
        with self.reading() as c:
            return [r[0] for r in c.execute("SELECT id FROM homes ORDER BY id")]

    def home_version(self, home_id: str) -> Optional[int]:
        with self.reading() as c:
            row = c.execute("SELECT version FROM homes WHERE id = ?", (home_id,)).fetchone()
        return None if row is None else row[0]

    def load_home(self, home_id: str) -> tuple[Home, int]:
        with self.reading() as c:
            row = c.execute("SELECT doc, version FROM homes WHERE id = ?", (home_id,)).fetchone()
        if row is None:
            raise NotFound(f"there is no home {home_id!r} on this hub")
        return Home.model_validate_json(row["doc"]), row["version"]

    def create_home(self, home: Home, files: dict[str, bytes], *, replace: bool = False) -> int:
        """Store a whole home (and its files) in one transaction; returns its version."""
        with self.transaction() as c:
            row = c.execute("SELECT version FROM homes WHERE id = ?", (home.id,)).fetchone()
            if row is not None and not replace:
                raise Conflict(f"a home with id {home.id!r} already exists; import with --replace to overwrite it")
            version = (row[0] if row else 0) + 1
            c.execute(
                "INSERT INTO homes(id, doc, version, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, version = excluded.version, "
                "updated_at = excluded.updated_at",
                (home.id, home.model_dump_json(), version, utcnow().isoformat()))
            c.execute("DELETE FROM home_files WHERE home_id = ?", (home.id,))
            c.executemany("INSERT INTO home_files(home_id, name, data) VALUES (?, ?, ?)",
                          [(home.id, n, d) for n, d in files.items()])
            return version

    def files(self, home_id: str) -> dict[str, bytes]:
        with self.reading() as c:
            return {r["name"]: bytes(r["data"])
                    for r in c.execute("SELECT name, data FROM home_files WHERE home_id = ?", (home_id,))}

    def commit_change(self, home: Home, expected_version: int, before: Home, *, action: str,
                      args: dict[str, Any], message: str, person: Optional[str],
                      device: Optional[str]) -> int:
        """Write the changed home and its journal entry atomically; returns the new version.

        Fails with Conflict if someone else changed the home since `expected_version`.
        """
        with self.transaction() as c:
            row = c.execute("SELECT version FROM homes WHERE id = ?", (home.id,)).fetchone()
            if row is None:
                raise NotFound(f"there is no home {home.id!r} on this hub")
            if row[0] != expected_version:
                raise Conflict("the home changed while this action ran; try again")
            version = expected_version + 1
            now = utcnow().isoformat()
            c.execute("UPDATE homes SET doc = ?, version = ?, updated_at = ? WHERE id = ?",
                      (home.model_dump_json(), version, now, home.id))
            c.execute(
                "INSERT INTO journal(home_id, version, at, person, device, action, args, message, before_doc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (home.id, version, now, person, device, action, json.dumps(args), message, before.model_dump_json()))
            c.execute(
                "DELETE FROM journal WHERE home_id = ? AND seq <= "
                "(SELECT seq FROM journal WHERE home_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                (home.id, home.id, JOURNAL_KEEP))
            return version

    def journal(self, home_id: str, limit: int = 50) -> list[JournalEntry]:
        with self.reading() as c:
            rows = c.execute("SELECT * FROM journal WHERE home_id = ? ORDER BY seq DESC LIMIT ?",
                             (home_id, limit)).fetchall()
        return [JournalEntry(r["seq"], r["home_id"], r["version"], r["at"], r["person"], r["device"],
                             r["action"], json.loads(r["args"]), r["message"], bool(r["undone"])) for r in rows]

    def undo_last(self, home_id: str, person: Optional[str], device: Optional[str],
                  check: Optional[Callable[[Home], None]] = None) -> tuple[Home, JournalEntry]:
        """Restore the home as it was before its latest change; that change must be the newest.

        `check` sees the restored home before anything is written and may refuse it by raising."""
        with self.transaction() as c:
            home_row = c.execute("SELECT version FROM homes WHERE id = ?", (home_id,)).fetchone()
            if home_row is None:
                raise NotFound(f"there is no home {home_id!r} on this hub")
            row = c.execute("SELECT * FROM journal WHERE home_id = ? AND undone = 0 AND action != 'undo' "
                            "ORDER BY seq DESC LIMIT 1", (home_id,)).fetchone()
            if row is None:
                raise Conflict("there is nothing to undo")
            if row["version"] != home_row[0]:
                raise Conflict(f"the last change ({row['action']}) was followed by others and can no longer be undone")
            if check is not None:
                check(Home.model_validate_json(row["before_doc"]))
            version = home_row[0] + 1
            now = utcnow().isoformat()
            current = c.execute("SELECT doc FROM homes WHERE id = ?", (home_id,)).fetchone()[0]
            c.execute("UPDATE homes SET doc = ?, version = ?, updated_at = ? WHERE id = ?",
                      (row["before_doc"], version, now, home_id))
            c.execute("UPDATE journal SET undone = 1 WHERE seq = ?", (row["seq"],))
            c.execute(
                "INSERT INTO journal(home_id, version, at, person, device, action, args, message, before_doc, undone) "
                "VALUES (?, ?, ?, ?, ?, 'undo', ?, ?, ?, 1)",
                (home_id, version, now, person, device, json.dumps({"seq": row["seq"]}),
                 f"undid {row['action']}", current))
        entry = JournalEntry(row["seq"], home_id, row["version"], row["at"], row["person"], row["device"],
                             row["action"], json.loads(row["args"]), row["message"], True)
        return Home.model_validate_json(row["before_doc"]), entry
