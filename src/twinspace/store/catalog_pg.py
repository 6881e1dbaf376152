"""A home's content catalogue on PostgreSQL: imported as on SQLite, searched with tsvector.

An import runs the catalogue's own import (content.catalog: the same parsers, merge rules,
refusals and search documents) on a scratch in-memory database, then replaces the home's
rows in PostgreSQL with its result in one transaction. So both stores hold the same
catalogue for the same files, and differ only in how they match text. Unlike a SQLite hub,
an import replaces the home's whole guide rather than merging into the stored one.

Reads (channels, the guide at a time, now and next, titles, search) are the shared
catalogue's (content.catalog.Catalog) on the store's pooled connections, with the few
clauses PostgreSQL says differently (PgCatalogSql).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Sequence

from twinspace.content.catalog import Catalog
from twinspace.content.report import ImportReport
from twinspace.content.search import SearchHit, query_words
from twinspace.content.tables import CHANNEL_COLUMNS, PROGRAMME_COLUMNS, columns
from twinspace.store.base import numbered_migrations
from twinspace.store.postgres import PostgresStore
from twinspace.store.search_pg import PgSearchIndex

_TABLES = {  # table -> the columns copied, as both schemas name them
    "content_channel": ("home_id", "position", "name_key", *CHANNEL_COLUMNS),
    "content_programme": ("home_id", *PROGRAMME_COLUMNS),
    "content_vod": ("home_id", "id", "position", "title", "rating_age", "data"),
    "content_app": ("home_id", "id", "position", "name", "data"),
}


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _fields(*texts: str) -> tuple[Any, ...]:
    """Each field's words, and how many there are in all."""
    fields = [query_words(text or "") for text in texts]
    return (*(" ".join(f) for f in fields), sum(map(len, fields)))


class PgCatalogSql:
    """content.catalog.CatalogSql for PostgreSQL."""

    def has_category(self, column: str) -> str:
        return f"EXISTS (SELECT 1 FROM json_array_elements_text({column}::json) v WHERE lower(v) = :category)"

    def search_index(self, conn: Any) -> PgSearchIndex:
        return PgSearchIndex(conn.raw)  # it writes psycopg's own placeholders


def scratch_catalog(preferred_lang: str = "en") -> tuple[sqlite3.Connection, Catalog]:
    """An empty in-memory catalogue (SQLite's content tables) to import into."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.row_factory = sqlite3.Row
    content = {name: sql for _, name, sql in numbered_migrations("migrations")}["0002_content.sql"]
    conn.executescript(content)
    return conn, Catalog(conn, preferred_lang=preferred_lang)


class PgCatalog:
    """The catalogue of a PostgreSQL store: content.services.CatalogStore, and its search."""

    def __init__(self, store: PostgresStore, *, clock: Callable[[], datetime] = _utc_now,
                 preferred_lang: str = "en") -> None:
        self.store, self.clock, self.preferred_lang = store, clock, preferred_lang
        # Reads (the guide, channels, titles, search) are the shared catalogue's, in PostgreSQL's SQL.
        self.catalog = Catalog(reading=store.reading, sql=PgCatalogSql(), clock=clock, preferred_lang=preferred_lang)

    def import_home_content(self, home: Any, files: Mapping[str, bytes], *,
                            allow_empty: bool = False) -> list[ImportReport]:
        """Import what `home.content` names from its files, replacing the home's catalogue."""
        conn, catalog = scratch_catalog(self.preferred_lang)
        try:
            reports = catalog.import_home_content(home, files, allow_empty=allow_empty)
            self._replace(home.id, conn)
        finally:
            conn.close()
        return reports

    def set_apps(self, home_id: str, apps: Any) -> None:
        """Replace the home's apps (a TV's bridge reported new ones), as Catalog.set_apps."""
        conn, catalog = scratch_catalog(self.preferred_lang)
        try:
            catalog.set_apps(home_id, apps)
            self._replace(home_id, conn, tables=("content_app",), kind="app")
        finally:
            conn.close()

    def close(self) -> None:
        """The store owns the connections."""

    def _replace(self, home_id: str, scratch: sqlite3.Connection, *, tables: Sequence[str] = tuple(_TABLES),
                 kind: str | None = None) -> None:
        """Replace the home's rows of `tables`, and its search documents (of one `kind`, or all),
        with the scratch catalogue's."""
        of_kind = "" if kind is None else " AND kind = ?"
        params = (home_id,) if kind is None else (home_id, kind)
        with self.store.transaction() as c:
            raw = c.raw
            for table in tables:
                raw.execute(f"DELETE FROM {table} WHERE home_id = %s", (home_id,))
            c.execute(f"DELETE FROM content_search WHERE home_id = ?{of_kind}", params)
            with raw.cursor() as cur:
                for table in tables:
                    names = _TABLES[table]
                    with cur.copy(f"COPY {table} ({columns(names)}) FROM STDIN") as copy:
                        for row in scratch.execute(f"SELECT {columns(names)} FROM {table} WHERE home_id = ?",
                                                   (home_id,)):
                            copy.write_row(tuple(row))
                cur.executemany(
                    "INSERT INTO content_search (home_id, kind, key, title, keywords, body, title_doc, keywords_doc, "
                    "body_doc, length) VALUES (%s, %s, %s, %s, %s, %s, to_tsvector('simple', %s), "
                    "to_tsvector('simple', %s), to_tsvector('simple', %s), %s)",
                    [(home_id, doc_kind, key, title, keywords or "", body or "", *_fields(title, keywords, body))
                     for doc_kind, key, title, keywords, body in scratch.execute(
                         f"SELECT kind, key, title, keywords, body FROM content_search WHERE home_id = ?{of_kind}",
                         params)])
            raw.execute("INSERT INTO content_search_term (term) SELECT word FROM ts_stat("
                        "format('SELECT doc FROM content_search WHERE home_id = %%L', %s::text)) "
                        "ON CONFLICT DO NOTHING", (home_id,))

    def search(self, home_id: str, query: str, *, at: datetime | None = None, kind: str | None = None,
               max_rating: str | None = None, limit: int = 20) -> list[SearchHit]:
        """As content.catalog.Catalog.search, on the PostgreSQL index."""
        return self.catalog.search(home_id, query, at=at, kind=kind, max_rating=max_rating, limit=limit)
