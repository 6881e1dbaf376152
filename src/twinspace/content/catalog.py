"""The content catalogue of each home: lineup, guide, on-demand titles and apps.

The store owns the connection (WAL, migrations); the catalogue only reads and writes its
own tables (store/migrations/0002_content.sql). Everything is scoped by home_id. Every
import runs in one transaction on SQLite: it completes, or it changes nothing (on
PostgreSQL, store/catalog_pg.py imports into a scratch SQLite catalogue and copies it).
The reads are shared by both stores: written with `:name` placeholders, run on a store's
`reading()` connections, with what each database says differently behind `CatalogSql`.

Guide imports merge into what is stored. For each channel in the file, the file's time
window (its earliest start to its latest stop) is replaced: stored programmes starting
inside it are dropped, and one that started earlier and runs into it is cut at the window
start. Inside one file, the same channel and start twice keeps the later entry, and a
programme overlapping the next one on its channel is cut where the next one starts.
"""

from __future__ import annotations

import difflib
import json
import sqlite3
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Protocol, Union

from twinspace.content import search as search_module
from twinspace.content.m3u import parse_m3u
from twinspace.content.models import App, Channel, Listing, NowNext, Programme, name_key, split_programme_id
from twinspace.content.ratings import allowed, limit_age, rating_age
from twinspace.content.report import ImportReport
from twinspace.content.search import SearchHit, SearchIndex
from twinspace.content.sources import Source, source_name
from twinspace.content.tables import (CHANNEL_COLUMNS, PROGRAMME_COLUMNS, channel_from_row, channel_row, columns,
                                      epoch, programme_from_row, programme_row, within_age, write_transaction)
from twinspace.content.vod import VodTitle, parse_vod
from twinspace.content.xmltv import GuideReader
from twinspace.errors import InvalidInput, NotAllowed, NotFound
from twinspace.store.search_sqlite import SqliteCatalogSql, refresh_terms

ContentItem = Union[Channel, Programme, VodTitle, App]
Progress = Callable[[int], None]  # called with the number of programmes read so far
PROGRESS_EVERY = 5000

_CHANNEL = columns(CHANNEL_COLUMNS, "c")
_PROGRAMME = columns(PROGRAMME_COLUMNS, "p")
# The programme airing at :t on channel c, and the first one starting after :t. Programmes
# on a channel never overlap once imported, so the one that started last at or before :t
# is the only candidate for "now".
_SLOTS = {
    "now": ("{p}.rowid = (SELECT rowid FROM content_programme WHERE home_id = c.home_id AND channel_id = c.id "
            "AND start_utc <= :t ORDER BY start_utc DESC LIMIT 1) AND {p}.stop_utc > :t"),
    "next": ("{p}.rowid = (SELECT rowid FROM content_programme WHERE home_id = c.home_id AND channel_id = c.id "
             "AND start_utc > :t ORDER BY start_utc LIMIT 1)"),
}


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class CatalogSql(Protocol):
    """What catalogue reads say differently on each store (store.search_sqlite, store.catalog_pg).
    The rest of their SQL is shared: named `:param` placeholders, which both stores take."""

    def has_category(self, column: str) -> str:
        """A condition: the JSON array of texts in `column` holds `:category` (lower-cased)."""
        ...

    def search_index(self, conn: Any) -> SearchIndex:
        """The search index on a connection `reading` handed out."""
        ...


Reading = Callable[[], AbstractContextManager[Any]]  # a store's `reading`: a connection for one snapshot


class Catalog:
    """Imports run on `conn` (SQLite). Reads run on `conn` too, or on the connections `reading`
    hands out (a PostgreSQL store's pool) with that store's `sql`."""

    allowed = staticmethod(allowed)  # the rating rule, for callers that hold an item already

    def __init__(self, conn: Optional[sqlite3.Connection] = None, *, reading: Optional[Reading] = None,
                 sql: Optional[CatalogSql] = None, clock: Callable[[], datetime] = _utc_now,
                 preferred_lang: str = "en") -> None:
        if conn is None and reading is None:
            raise ValueError("a catalogue needs a connection or a store's reading()")
        self.conn = conn  # type: ignore[assignment]
        self._reading: Reading = reading or (lambda: nullcontext(conn))
        self.sql: CatalogSql = sql or SqliteCatalogSql()
        self.clock = clock
        self.preferred_lang = preferred_lang

    # --- imports ---------------------------------------------------------------------

    def _refuse_emptying(self, table: str, home_id: str, file: str, what: str, allow_empty: bool,
                         skipped: Any = None) -> None:
        """Never let an empty file wipe what the home has, unless asked to (`--allow-empty`)."""
        if allow_empty:
            return
        stored = self.conn.execute(f"SELECT count(*) FROM {table} WHERE home_id = ?", (home_id,)).fetchone()[0]
        if stored:
            why = f" (skipped {skipped.total}: {skipped})" if skipped is not None and skipped.total else ""
            raise InvalidInput(f"{file} has no {what} this hub could read{why}; importing it would leave the home "
                               f"without its {stored} {what}. Fix the file, or import with --allow-empty to "
                               "empty it on purpose")

    def import_lineup(self, home_id: str, source: Source, *, name: str | None = None,
                      allow_empty: bool = False) -> ImportReport:
        """Replace the home's channels with the lineup's (M3U path, bytes or stream)."""
        lineup = parse_m3u(source, name=name)
        if not lineup.channels:
            self._refuse_emptying("content_channel", home_id, source_name(source, name), "channels", allow_empty,
                                  lineup.skipped)
        with write_transaction(self.conn) as c:
            c.execute("DELETE FROM content_channel WHERE home_id = ?", (home_id,))
            c.executemany(
                f"INSERT INTO content_channel (home_id, position, name_key, {columns(CHANNEL_COLUMNS)}) "
                f"VALUES (?, ?, ?, {', '.join('?' * len(CHANNEL_COLUMNS))})",
                ((home_id, i, name_key(ch.name), *channel_row(ch)) for i, ch in enumerate(lineup.channels)))
            self._reindex(home_id, "channel", (
                (ch.name, " ".join(filter(None, (ch.tvg_name, ch.group, ch.number, ch.id))), "", ch.id)
                for ch in lineup.channels))
        return ImportReport(source_name(source, name), "lineup", channels=len(lineup.channels),
                            skipped=lineup.skipped)

    def import_guide(self, home_id: str, source: Source, *, name: str | None = None,
                     progress: Progress | None = None, allow_empty: bool = False) -> ImportReport:
        """Merge an XMLTV guide (path, bytes or stream, gzip or not) into the home's guide."""
        reader = GuideReader(source, name=name, preferred_lang=self.preferred_lang)
        report = ImportReport(reader.file, "guide", skipped=reader.skipped)
        with write_transaction(self.conn) as c:
            read = self._stage(reader, progress)
            staged = c.execute("SELECT count(*), count(DISTINCT channel_id) FROM temp.content_import").fetchone()
            report.programmes, report.channels = staged
            if not report.programmes:
                self._refuse_emptying("content_programme", home_id, reader.file, "programmes", allow_empty,
                                      reader.skipped)
            if read > report.programmes:
                report.notes.append(f"{read - report.programmes} programmes repeated a channel and start "
                                    "time; the later entry was kept")
            cut = self._cut_overlaps()
            if cut:
                report.notes.append(f"{cut} programmes overlapped the next one on their channel and were "
                                    "cut where it starts")
            report.replaced = self._replace_windows(home_id)
            self._reindex_shows(home_id)
            refresh_terms(c)
            missing = c.execute("SELECT count(*) FROM temp.content_import_window w WHERE NOT EXISTS "
                                "(SELECT 1 FROM content_channel WHERE home_id = ? AND id = w.channel_id)",
                                (home_id,)).fetchone()[0]
            if missing:
                report.notes.append(f"{missing} channels in the guide are not in the lineup; their programmes "
                                    "are kept and show once the lineup has them")
            c.execute("DROP TABLE temp.content_import")
            c.execute("DROP TABLE temp.content_import_window")
        return report

    def _stage(self, reader: GuideReader, progress: Progress | None) -> int:
        """Read the whole guide into a temporary table; return how many programmes were read."""
        c = self.conn
        c.execute("DROP TABLE IF EXISTS temp.content_import")
        c.execute(f"CREATE TEMP TABLE content_import ({columns(PROGRAMME_COLUMNS)}, "
                  "PRIMARY KEY (channel_id, start_utc)) WITHOUT ROWID")
        read = 0

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal read
            for programme in reader.programmes():
                read += 1
                if progress is not None and read % PROGRESS_EVERY == 0:
                    progress(read)
                yield programme_row(programme)

        # OR REPLACE: of two entries with the same channel and start, the later in the file wins.
        c.executemany(f"INSERT OR REPLACE INTO temp.content_import VALUES "
                      f"({', '.join('?' * len(PROGRAMME_COLUMNS))})", rows())
        if progress is not None:
            progress(read)
        return read

    def _cut_overlaps(self) -> int:
        return self.conn.execute("""
            UPDATE temp.content_import AS t SET stop_utc = o.next_start, stop_offset_min = o.next_offset
            FROM (SELECT channel_id, start_utc, next_start, next_offset FROM (
                    SELECT channel_id, start_utc, stop_utc,
                           lead(start_utc) OVER by_start AS next_start,
                           lead(start_offset_min) OVER by_start AS next_offset
                    FROM temp.content_import
                    WINDOW by_start AS (PARTITION BY channel_id ORDER BY start_utc))
                  WHERE next_start < stop_utc) AS o
            WHERE t.channel_id = o.channel_id AND t.start_utc = o.start_utc""").rowcount

    def _replace_windows(self, home_id: str) -> int:
        c = self.conn
        c.execute("DROP TABLE IF EXISTS temp.content_import_window")
        c.execute("CREATE TEMP TABLE content_import_window AS SELECT channel_id, min(start_utc) AS lo, "
                  "max(stop_utc) AS hi FROM temp.content_import GROUP BY channel_id")
        replaced = c.execute("""
            DELETE FROM content_programme WHERE rowid IN (
                SELECT p.rowid FROM temp.content_import_window w JOIN content_programme p
                ON p.home_id = :home AND p.channel_id = w.channel_id AND p.start_utc >= w.lo AND p.start_utc < w.hi)
            """, {"home": home_id}).rowcount
        # Only the last programme before a window can run into it: stored ones never overlap.
        c.execute("""
            UPDATE content_programme AS p SET stop_utc = w.lo
            FROM temp.content_import_window w
            WHERE p.rowid = (SELECT rowid FROM content_programme WHERE home_id = :home
                             AND channel_id = w.channel_id AND start_utc < w.lo ORDER BY start_utc DESC LIMIT 1)
              AND p.stop_utc > w.lo""", {"home": home_id})
        c.execute(f"INSERT INTO content_programme (home_id, {columns(PROGRAMME_COLUMNS)}) "
                  f"SELECT ?, * FROM temp.content_import ORDER BY channel_id, start_utc", (home_id,))
        return replaced

    def _reindex_shows(self, home_id: str) -> None:
        """Rebuild the search documents of the shows on the channels the import touched."""
        c = self.conn
        c.execute("DELETE FROM content_search WHERE home_id = ? AND kind = 'programme' "
                  "AND key IN (SELECT channel_id FROM temp.content_import_window)", (home_id,))
        # keywords: categories and the title in other languages; body: the distinct descriptions.
        # (JSON is only unpacked where there is more than one title: "],[" is in every such list.)
        c.execute("""
            INSERT INTO content_search (title, keywords, body, home_id, kind, key)
            SELECT p.title,
                   group_concat(DISTINCT p.categories) || ' ' || coalesce(group_concat(DISTINCT
                       CASE WHEN instr(p.titles, '],[') THEN (
                           SELECT group_concat(json_extract(j.value, '$[1]'), ' ') FROM json_each(p.titles) j
                           WHERE json_extract(j.value, '$[1]') <> p.title) END), ''),
                   coalesce(group_concat(DISTINCT p.description), ''),
                   p.home_id, 'programme', p.channel_id
            FROM content_programme p
            WHERE p.home_id = ? AND p.channel_id IN (SELECT channel_id FROM temp.content_import_window)
            GROUP BY p.channel_id, p.title""", (home_id,))

    def import_vod(self, home_id: str, source: Source, *, name: str | None = None,
                   allow_empty: bool = False) -> ImportReport:
        """Replace the home's on-demand titles with those of a vod.json."""
        titles = parse_vod(source, name=name)
        if not titles:
            self._refuse_emptying("content_vod", home_id, source_name(source, name), "on-demand titles", allow_empty)
        with write_transaction(self.conn) as c:
            c.execute("DELETE FROM content_vod WHERE home_id = ?", (home_id,))
            c.executemany("INSERT INTO content_vod (home_id, id, position, title, rating_age, data) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          ((home_id, t.id, i, t.title, rating_age(t.rating), t.model_dump_json())
                           for i, t in enumerate(titles)))
            self._reindex(home_id, "vod", ((t.title, " ".join([t.kind, *t.genres]), t.description, t.id)
                                           for t in titles))
        return ImportReport(source_name(source, name), "vod", titles=len(titles))

    def set_apps(self, home_id: str, apps: Iterable[Any]) -> list[App]:
        """Replace the home's apps: App objects, {"id", "name"} mappings or anything with id and name."""
        items = [App.coerce(app) for app in apps]
        with write_transaction(self.conn) as c:
            c.execute("DELETE FROM content_app WHERE home_id = ?", (home_id,))
            c.executemany("INSERT OR REPLACE INTO content_app (home_id, id, position, name, data) "
                          "VALUES (?, ?, ?, ?, ?)",
                          ((home_id, a.id, i, a.name, "{}") for i, a in enumerate(items)))
            self._reindex(home_id, "app", ((a.name, a.id, "", a.id) for a in items))
        return items

    def import_home_content(self, home: Any, files: Mapping[str, bytes], *,
                            allow_empty: bool = False) -> list[ImportReport]:
        """Import what a home names in `home.content` (lineup, guide and vod file names, apps)
        from the files that came with it (name -> bytes), all in one transaction."""
        content, reports = home.content, []
        with write_transaction(self.conn):
            for name, load in ((content.m3u, self.import_lineup), (content.xmltv, self.import_guide),
                               (content.vod, self.import_vod)):
                if name:
                    if name not in files:
                        raise NotFound(f"the home names {name!r} as content, but no such file came with it")
                    reports.append(load(home.id, files[name], name=name, allow_empty=allow_empty))
            self.set_apps(home.id, content.apps)
        return reports

    def forget(self, home_id: str) -> None:
        """Remove all of a home's content (when the home itself is deleted)."""
        with write_transaction(self.conn) as c:
            for table in ("content_channel", "content_programme", "content_vod", "content_app", "content_search"):
                c.execute(f"DELETE FROM {table} WHERE home_id = ?", (home_id,))
            refresh_terms(c)

    def _reindex(self, home_id: str, kind: str, docs: Iterable[tuple[str, str, str, str]]) -> None:
        """Replace the search documents of one kind: (title, keywords, body, key) each."""
        self.conn.execute("DELETE FROM content_search WHERE home_id = ? AND kind = ?", (home_id, kind))
        self.conn.executemany("INSERT INTO content_search (title, keywords, body, home_id, kind, key) "
                              "VALUES (?, ?, ?, ?, ?, ?)",
                              ((title, keywords, body, home_id, kind, key) for title, keywords, body, key in docs))
        refresh_terms(self.conn)

    # --- channels --------------------------------------------------------------------

    def channels(self, home_id: str) -> list[Channel]:
        with self._reading() as c:
            rows = c.execute(f"SELECT {_CHANNEL} FROM content_channel c WHERE home_id = ? ORDER BY position",
                             (home_id,)).fetchall()
        return [channel_from_row(row) for row in rows]

    def channel(self, home_id: str, id_or_name: str) -> Channel:
        """A channel by id, name ('sports one' too) or number; NotFound suggests close names."""
        text = id_or_name.strip()
        with self._reading() as c:
            row = (c.execute(f"SELECT {_CHANNEL} FROM content_channel c WHERE home_id = ? AND id = ?",
                             (home_id, text)).fetchone()
                   or c.execute(
                       f"SELECT {_CHANNEL} FROM content_channel c WHERE home_id = :home AND "
                       "(name_key = :key OR number = :text OR lower(tvg_name) = lower(:text)) "
                       "ORDER BY name_key = :key DESC, position LIMIT 1",
                       {"home": home_id, "text": text, "key": name_key(text)}).fetchone())
            if row is None:
                names = [name for (name,) in c.execute(
                    "SELECT name FROM content_channel WHERE home_id = ? ORDER BY position", (home_id,)).fetchall()]
        if row is not None:
            return channel_from_row(row)
        if not names:
            raise NotFound(f"there is no channel {id_or_name!r}: this home has no channel lineup yet")
        close = difflib.get_close_matches(id_or_name, names, n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}?" if close else f"channels: {', '.join(names[:12])}"
        raise NotFound(f"there is no channel {id_or_name!r} in this home; {hint}")

    # --- the guide -------------------------------------------------------------------

    def at(self, home_id: str, when: datetime, *, channel: str | None = None, category: str | None = None,
           max_rating: str | None = None) -> list[Listing]:
        """What airs at `when`, one listing per channel in lineup order."""
        rows = self._guide(home_id, when, ("now",), channel, category, max_rating)
        return [Listing(ch, now) for ch, (now,) in rows if now is not None]

    def now(self, home_id: str, at: datetime | None = None, *, channel: str | None = None,
            category: str | None = None, max_rating: str | None = None) -> list[Listing]:
        """What airs now (the catalogue's clock), or at `at` when given."""
        return self.at(home_id, self._instant(at), channel=channel, category=category, max_rating=max_rating)

    def next(self, home_id: str, at: datetime | None = None, *, channel: str | None = None,
             category: str | None = None, max_rating: str | None = None) -> list[Listing]:
        """The first programme starting after now (or `at`) on each channel."""
        rows = self._guide(home_id, self._instant(at), ("next",), channel, category, max_rating)
        return [Listing(ch, upcoming) for ch, (upcoming,) in rows if upcoming is not None]

    def now_next(self, home_id: str, at: datetime | None = None, *, channel: str | None = None,
                 max_rating: str | None = None) -> list[NowNext]:
        """Each channel with what airs now and what comes next (None where nothing, or not allowed)."""
        rows = self._guide(home_id, self._instant(at), ("now", "next"), channel, None, max_rating)
        return [NowNext(ch, now, upcoming) for ch, (now, upcoming) in rows]

    def _guide(self, home_id: str, when: datetime, slots: tuple[str, ...], channel: str | None,
               category: str | None, max_rating: str | None) -> list[tuple[Channel, list[Programme | None]]]:
        """Every channel (or one) with its programme in each slot ("now", "next"), None where there is
        none or it is filtered out, in one statement."""
        params: dict[str, Any] = {"home": home_id, "t": epoch(self._instant(when)), "max_age": limit_age(max_rating),
                                  "category": category and category.strip().lower()}
        selects, joins = [_CHANNEL], []
        for alias in slots:
            on = _SLOTS[alias].format(p=alias) + within_age(params["max_age"], f"{alias}.rating_age")
            if category is not None:
                on += f" AND (lower(c.grp) = :category OR {self.sql.has_category(f'{alias}.categories')})"
            joins.append(f"LEFT JOIN content_programme {alias} ON {on}")
            selects.append(columns(PROGRAMME_COLUMNS, alias))
        sql = f"SELECT {', '.join(selects)} FROM content_channel c {' '.join(joins)} WHERE c.home_id = :home"
        if channel is not None:
            params["channel"] = self.channel(home_id, channel).id
            sql += " AND c.id = :channel"
        width, split = len(PROGRAMME_COLUMNS), len(CHANNEL_COLUMNS)
        with self._reading() as c:
            rows = c.execute(sql + " ORDER BY c.position", params).fetchall()
        return [(channel_from_row(row), [None if row[i] is None else programme_from_row(row[i:i + width])
                                         for i in range(split, len(row), width)])
                for row in rows]

    def programme(self, home_id: str, programme_id: str, *, max_rating: str | None = None) -> Programme:
        """A programme by id ('<channel>/<UTC start YYYYMMDDhhmmss>')."""
        try:
            channel_id, start = split_programme_id(programme_id)
        except ValueError:
            raise NotFound(f"{programme_id!r} is not a programme id; they look like "
                           "'sportsone.kr/20261128103000' (channel and UTC start)") from None
        with self._reading() as c:
            row = c.execute(f"SELECT {_PROGRAMME} FROM content_programme p WHERE home_id = ? AND channel_id = ? "
                            "AND start_utc = ?", (home_id, channel_id, epoch(start))).fetchone()
        if row is None:
            raise NotFound(f"there is no programme starting {start:%Y-%m-%d %H:%M} UTC on {channel_id!r} "
                           "in this home's guide")
        return _admit(programme_from_row(row), max_rating)

    # --- on demand and apps --------------------------------------------------------------

    def vod_titles(self, home_id: str, *, max_rating: str | None = None) -> list[VodTitle]:
        max_age = limit_age(max_rating)
        with self._reading() as c:
            rows = c.execute("SELECT data FROM content_vod WHERE home_id = :home" + within_age(max_age)
                             + " ORDER BY position", {"home": home_id, "max_age": max_age}).fetchall()
        return [VodTitle.model_validate_json(data) for (data,) in rows]

    def vod(self, home_id: str, vod_id: str, *, max_rating: str | None = None) -> VodTitle:
        with self._reading() as c:
            row = c.execute("SELECT data FROM content_vod WHERE home_id = ? AND id = ?", (home_id, vod_id)).fetchone()
        if row is None:
            raise NotFound(f"there is no on-demand title {vod_id!r} in this home")
        return _admit(VodTitle.model_validate_json(row[0]), max_rating)

    def apps(self, home_id: str) -> list[App]:
        with self._reading() as c:
            rows = c.execute("SELECT id, name, data FROM content_app WHERE home_id = ? ORDER BY position",
                             (home_id,)).fetchall()
        return [App(id=app_id, name=name) for app_id, name, _ in rows]

    def app(self, home_id: str, app_id: str) -> App:
        found = next((a for a in self.apps(home_id) if a.id == app_id), None)
        if found is None:
            known = ", ".join(a.id for a in self.apps(home_id)) or "none"
            raise NotFound(f"there is no app {app_id!r} in this home; apps: {known}")
        return found

    # --- references and search ---------------------------------------------------------

    def resolve(self, home_id: str, ref: str, *, max_rating: str | None = None) -> ContentItem:
        """The item a content ref names (channel:, programme:, vod:, app:); NotFound or NotAllowed if not."""
        kind, sep, ident = ref.partition(":")
        if not sep or not ident or kind not in search_module.KINDS:
            raise InvalidInput(f"{ref!r} is not a content reference; use channel:<id>, programme:<id>, "
                               "vod:<id> or app:<id>")
        if kind == "channel":
            return self.channel(home_id, ident)
        if kind == "programme":
            return self.programme(home_id, ident, max_rating=max_rating)
        if kind == "vod":
            return self.vod(home_id, ident, max_rating=max_rating)
        return self.app(home_id, ident)

    def search(self, home_id: str, query: str, *, at: datetime | None = None, kind: str | None = None,
               max_rating: str | None = None, limit: int = 20) -> list[SearchHit]:
        """Channels, programmes, on-demand titles and apps matching `query`, best first."""
        moment = self._instant(at)
        with self._reading() as c:
            return search_module.search(self.sql.search_index(c), home_id, query, at=moment, kind=kind,
                                        max_age=limit_age(max_rating), limit=limit)

    def _instant(self, at: datetime | None) -> datetime:
        moment = self.clock() if at is None else at
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise InvalidInput(f"the time {moment.isoformat()} has no UTC offset; give one, e.g. +09:00")
        return moment


def _admit(item: Any, max_rating: str | None) -> Any:
    if not allowed(item.rating, max_rating):
        raise NotAllowed(f"{item.title} is rated {item.rating or 'unrated'}, above the limit of {max_rating}")
    return item
