"""PostgreSQL store for several hub replicas: the same tables and behaviour as the SQLite store.

Selected with `TWINSPACE_DATABASE_URL=postgresql://...`. Connections come from a
`psycopg_pool` pool; every write is one transaction committed with `synchronous_commit=on`
(durable before the caller hears back). Writes to a home are fenced: a `fence` callable
(the replica's lease, cluster/lease.py) names this writer's fence for the home, and a write
whose fence is lower than the highest one already committed for it is refused in the same
transaction, so a replica that lost its lease cannot commit.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence

import psycopg
from psycopg_pool import ConnectionPool

from twinspace.errors import Conflict
from twinspace.store.base import numbered_migrations
from twinspace.store.tables import HomeTables

Fence = Callable[[str], int]  # home id -> this writer's fence for it; raises if it holds no lease


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

    def __init__(self, url: str, *, path: str | Path, fence: Optional[Fence] = None,
                 min_size: int = 1, max_size: int = 8) -> None:
        self.url = url
        self.path = Path(path)  # the local data directory's database path: its folder holds the hub key
        self.fence = fence
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

    def _fenced(self, c: Any, home_id: str) -> None:
        if self.fence is None:
            return
        fence = self.fence(home_id)
        # Take the home's fence row locked; a newer owner's fence (higher) wins, an older one is refused.
        c.execute("INSERT INTO home_fences(home_id, fence) VALUES (?, ?) ON CONFLICT (home_id) DO NOTHING",
                  (home_id, fence))
        highest = c.execute("SELECT fence FROM home_fences WHERE home_id = ? FOR UPDATE", (home_id,)).fetchone()[0]
        if fence < highest:
            raise Conflict(f"this replica no longer owns home {home_id!r} (fence {fence} < {highest}); "
                           "its owner has changed, retry there")
        if fence > highest:
            c.execute("UPDATE home_fences SET fence = ? WHERE home_id = ?", (fence, home_id))


def _redact(url: str) -> str:
    """The URL without its password, for error messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in info.items())
