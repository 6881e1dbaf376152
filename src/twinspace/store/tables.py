"""The home, journal and file tables, written once for both stores.

The SQL is the common subset of SQLite and PostgreSQL with `?` placeholders; each store
provides `transaction()` and `reading()` and may fence writes (`_writer_fence`, `_fenced`)."""

from __future__ import annotations

import json
from typing import Any, Callable, ContextManager, Optional, Sequence

from twinspace.errors import Conflict, NotFound
from twinspace.home.model import Home
from twinspace.store.base import JOURNAL_KEEP, Change, Connection, JournalEntry, utcnow


class HomeTables:
    row_locks = False  # PostgreSQL: lock the home row, as SQLite's BEGIN IMMEDIATE locks the file

    def transaction(self) -> ContextManager[Any]:
        raise NotImplementedError

    def reading(self) -> ContextManager[Any]:
        raise NotImplementedError

    def _writer_fence(self, home_id: str) -> Optional[int]:
        """This writer's fence for `home_id`, asked before its transaction begins (taking a lease
        issues a fence in a transaction of its own); None: unfenced (one process)."""
        return None

    def _fenced(self, c: Connection, home_id: str, fence: Optional[int]) -> None:
        """Refuse the write if `fence` is no longer the home's (no fencing on one process)."""

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
        fence = self._writer_fence(home.id)
        with self.transaction() as c:
            self._fenced(c, home.id, fence)
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
        return self.commit_changes(home.id, expected_version, [
            Change(home, before, action, args, message, person, device)])

    def commit_changes(self, home_id: str, expected_version: int, changes: Sequence[Change]) -> int:
        """Write several consecutive changes of one home in one transaction (a group commit):
        all of them or none, durable together; returns the last one's version.

        Change i (from 0) becomes version `expected_version + i + 1`; Conflict if the home is
        no longer at `expected_version`.
        """
        if not changes:
            raise ValueError("a group commit needs at least one change")
        fence = self._writer_fence(home_id)
        with self.transaction() as c:
            self._fenced(c, home_id, fence)
            row = c.execute("SELECT version FROM homes WHERE id = ? FOR UPDATE" if self.row_locks else
                            "SELECT version FROM homes WHERE id = ?", (home_id,)).fetchone()
            if row is None:
                raise NotFound(f"there is no home {home_id!r} on this hub")
            if row[0] != expected_version:
                raise Conflict("the home changed while this action ran; try again")
            now = utcnow().isoformat()
            version = expected_version + len(changes)
            c.execute("UPDATE homes SET doc = ?, version = ?, updated_at = ? WHERE id = ?",
                      (changes[-1].home.model_dump_json(), version, now, home_id))
            c.executemany(
                "INSERT INTO journal(home_id, version, at, person, device, action, args, message, before_doc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(home_id, expected_version + i + 1, now, ch.person, ch.device, ch.action, json.dumps(ch.args),
                  ch.message, ch.before_json()) for i, ch in enumerate(changes)])
            c.execute(
                "DELETE FROM journal WHERE home_id = ? AND seq <= "
                "(SELECT seq FROM journal WHERE home_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)",
                (home_id, home_id, JOURNAL_KEEP))
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
        fence = self._writer_fence(home_id)
        with self.transaction() as c:
            self._fenced(c, home_id, fence)
            home_row = c.execute("SELECT version FROM homes WHERE id = ? FOR UPDATE" if self.row_locks else
                                 "SELECT version FROM homes WHERE id = ?", (home_id,)).fetchone()
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
