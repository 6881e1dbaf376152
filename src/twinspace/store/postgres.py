"""PostgreSQL store for several hub replicas: the same tables and behaviour as the SQLite store.

Selected with `TWINSPACE_DATABASE_URL=postgresql://...`. Connections come from a
`psycopg_pool` pool; every write is one transaction committed with `synchronous_commit=on`
(durable before the caller hears back). Writes to a home are fenced: the store issues a new
fence to each replica that takes a home's lease (`issue_fence`, cluster/lease.py), and refuses,
in the write's own transaction, every write whose fence is not the last one issued for the
home, so a replica that lost its lease cannot commit. Fences live here, not in Redis, so they
never go back when Redis loses its data.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional, Protocol, Sequence

import psycopg
from psycopg_pool import ConnectionPool

from twinspace.errors import Conflict
from twinspace.store.base import numbered_migrations
from twinspace.store.tables import HomeTables



class Fencing(Protocol):
    """Which writes to a home this writer may make (cluster/ownership.py on a replica)."""

    def fence(self, home_id: str) -> int:
        """This writer's fence for the home (one `issue_fence` gave it); Conflict if it does not own the home."""
        ...

    def refused(self, home_id: str, fence: int) -> None:
        """The store refused a write with `fence`: a newer fence was issued. Called inside the
        refused transaction, so it must not wait on the store."""
        ...


class Row(tuple):
    """A row readable by position and by column name, like sqlite3.Row (the shared SQL uses both)."""

    names: tuple[str, ...] = ()

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)


def _row_factory(cursor: psycopg.Cursor[Any]) -> Callable[[Sequence[Any]], Row]:
    names = tuple(d.name for d in cursor.description or ())

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row.names = names
        return row

    return make


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")  # :name, but not a ::cast


def _pg(sql: str, named: bool = False) -> str:
    # The shared SQL is written with SQLite's `?` or `:name` placeholders; psycopg wants `%s`
    # or `%(name)s` (and `%%`).
    sql = sql.replace("%", "%%")
    return _NAMED.sub(r"%(\1)s", sql) if named else sql.replace("?", "%s")


class _Conn:
    """A pooled connection that speaks the `?` placeholders of store.base.Connection."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> psycopg.Cursor[Any]:
        if isinstance(params, Mapping):
            return self.raw.execute(_pg(sql, named=True), dict(params))
        return self.raw.execute(_pg(sql), tuple(params) or None)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cur:
            cur.executemany(_pg(sql), [tuple(r) for r in rows])


class PostgresStore(HomeTables):
    """Satisfies store.base.HomeStore on PostgreSQL."""

    row_locks = True

    def __init__(self, url: str, *, path: str | Path, fencing: Optional[Fencing] = None,
                 min_size: int = 1, max_size: int = 8) -> None:
        self.url = url
        self.path = Path(path)  # the local data directory's database path: its folder holds the hub key
        self.fencing = fencing  # None: unfenced writes (a CLI command, a lone PostgreSQL hub)
        try:
            self.pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=True, timeout=10,
                                       kwargs={"row_factory": _row_factory, "autocommit": False,
                                               "options": "-c synchronous_commit=on"})
            self.pool.wait(timeout=10)
        except Exception as e:  # noqa: BLE001 - the pool reports an unreachable server in several ways
            raise RuntimeError(f"cannot connect to PostgreSQL at TWINSPACE_DATABASE_URL ({_redact(url)}): {e}") from e
        self._migrate()

    def close(self) -> None:
        self.pool.close()

    def content_catalog(self, *, preferred_lang: str = "en"):  # noqa: ANN201 - store.catalog_pg.PgCatalog
        """This store's content catalogue (content.services.CatalogStore)."""
        from twinspace.store.catalog_pg import PgCatalog  # it imports this module

        return PgCatalog(self, preferred_lang=preferred_lang)

    def _migrate(self) -> None:
        with self.pool.connection() as conn:
            with conn.transaction():
                # One replica migrates at a time; the others wait here and then find nothing to do.
                conn.execute("SELECT pg_advisory_xact_lock(7140911)")
                conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                             "name TEXT NOT NULL)")
                done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
                for number, name, sql in numbered_migrations("migrations_pg"):
                    if number in done:
                        continue
                    try:
                        with conn.transaction():
                            conn.execute(sql)
                            conn.execute("INSERT INTO schema_migrations VALUES (%s, %s)", (number, name))
                    except psycopg.Error as e:
                        raise RuntimeError(f"database migration {name} failed: {e}") from e

    @property
    def schema_version(self) -> int:
        with self.reading() as c:
            return c.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[_Conn]:
        """A write transaction; rolled back if the block raises."""
        with self.pool.connection() as conn:
            with conn.transaction():
                yield _Conn(conn)

    @contextmanager
    def reading(self) -> Iterator[_Conn]:
        with self.pool.connection() as conn:
            with conn.transaction():
                yield _Conn(conn)

    def issue_fence(self, home_id: str) -> int:
        """A new fence for the home, higher than every one issued before, durably: from now on only
        writes with it commit. Call only while holding the home's lease (it fences out the last holder)."""
        with self.transaction() as c:
            return c.execute("INSERT INTO home_fences(home_id, fence) VALUES (?, 1) ON CONFLICT (home_id) "
                             "DO UPDATE SET fence = home_fences.fence + 1 RETURNING fence", (home_id,)).fetchone()[0]

    def _writer_fence(self, home_id: str) -> Optional[int]:
        return None if self.fencing is None else self.fencing.fence(home_id)

    def _fenced(self, c: Any, home_id: str, fence: Optional[int]) -> None:
        if fence is None:
            return
        # FOR SHARE: a fence issued meanwhile waits for this write, and every write after it sees it.
        row = c.execute("SELECT fence FROM home_fences WHERE home_id = ? FOR SHARE", (home_id,)).fetchone()
        current = None if row is None else row[0]
        if fence != current:
            if self.fencing is not None:
                self.fencing.refused(home_id, fence)
            raise Conflict(f"this replica no longer owns home {home_id!r} (fence {fence}, the home's is {current}); "
                           "its owner has changed, retry there")

def _redact(url: str) -> str:
    """The URL without its password, for error messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in info.items())
