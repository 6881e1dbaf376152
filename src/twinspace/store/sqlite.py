"""SQLite store: WAL, ordered migrations, and durable commits.

Every acknowledged change is committed with `synchronous=FULL` before the caller hears
back, so it survives the process being killed. Writers take `BEGIN IMMEDIATE` so the CLI
and a running hub can share one database file safely.

Reads outside a transaction go to a second connection: in WAL mode it reads the last
committed state while a commit (its fsync) is in flight, so requests are not held up
behind a commit, and the changes they make meanwhile can join the next group commit
(commit_line.py).
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from twinspace.hub_key import private_dir, private_file
from twinspace.store.base import JOURNAL_KEEP, JournalEntry, numbered_migrations, utcnow  # noqa: F401 - re-exported
from twinspace.store.tables import HomeTables


def migrations() -> list[tuple[int, str, str]]:
    """The migration scripts shipped with the package, as (number, name, sql), in order."""
    return numbered_migrations("migrations")


class Store(HomeTables):
    """The embedded store: one SQLite file (satisfies store.base.HomeStore)."""

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
        self._writing = threading.local()  # this thread is inside transaction(): read its own writes
        self._read_lock = threading.Lock()
        self._reader: sqlite3.Connection | None = None
        if str(path) != ":memory:":  # an in-memory database has no second connection to open
            self._reader = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self._reader.row_factory = sqlite3.Row
            self._reader.execute("PRAGMA busy_timeout=30000")
            self._reader.execute("PRAGMA query_only=ON")

    def close(self) -> None:
        with self._lock:
            self.conn.close()
        if self._reader is not None:
            with self._read_lock:
                self._reader.close()

    def content_catalog(self, *, preferred_lang: str = "en"):  # noqa: ANN201 - store.content_sqlite.SqliteContent
        """This store's content catalogue (content.services.CatalogStore)."""
        from twinspace.store.content_sqlite import SqliteContent  # the catalogue imports the store

        return SqliteContent(self, preferred_lang=preferred_lang)

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
            depth = getattr(self._writing, "depth", 0)
            self._writing.depth = depth + 1
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            finally:
                self._writing.depth = depth
            self.conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Reads of one snapshot: everything committed before the block began."""
        if self._reader is None or getattr(self._writing, "depth", 0):
            with self._lock:
                yield self.conn
            return
        with self._read_lock:
            self._reader.execute("BEGIN")
            try:
                yield self._reader
            finally:
                self._reader.execute("COMMIT")
