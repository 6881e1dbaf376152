"""The content catalogue of a SQLite store, as content.services uses it (content.services.CatalogStore).

Imports run on the store's connection inside the store's own write transaction, so they
take its lock and the store's durability rules. Catalogue reads go through a second
connection to the same database: with WAL they see only committed imports, never one half
done, and do not wait for a long guide import. That connection serves every thread of the
hub (API workers, live sync, media), so each read holds its lock.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Mapping, Optional

from twinspace.content.catalog import Catalog, Reading
from twinspace.content.report import ImportReport
from twinspace.store.sqlite import Store


@contextmanager
def _holding(lock: Any, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    with lock:
        yield conn


class SqliteContent:
    def __init__(self, store: Store, *, preferred_lang: str = "en") -> None:
        self.store = store
        self._writer = Catalog(store.conn, preferred_lang=preferred_lang)
        self._reader: Optional[sqlite3.Connection] = None
        reading: Reading = store.reading  # an in-memory store has no second connection to open
        if str(store.path) != ":memory:":
            reader = self._reader = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False,
                                                    timeout=30)
            reader.row_factory = sqlite3.Row
            lock = threading.RLock()
            reading = lambda: _holding(lock, reader)  # noqa: E731
        self.catalog = Catalog(self._reader or store.conn, reading=reading, preferred_lang=preferred_lang)

    def import_home_content(self, home: Any, files: Mapping[str, bytes], *,
                            allow_empty: bool = False) -> list[ImportReport]:
        with self.store.transaction():  # the catalogue's own transactions become savepoints in this one
            return self._writer.import_home_content(home, files, allow_empty=allow_empty)

    def set_apps(self, home_id: str, apps: Any) -> None:
        with self.store.transaction():
            self._writer.set_apps(home_id, apps)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
