"""The content search index on SQLite: FTS5 BM25 and a trigram index of the indexed words.

The tables are store/migrations/0002_content.sql (`content_search`, weighted
bm25(title 10, keywords 4, body 1); `content_search_term`, a trigram FTS5 table of every
indexed word). Implements content.search.SearchIndex over the catalogue's connection.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from twinspace.content.models import Channel, Programme
from twinspace.content.search import Candidate, Term
from twinspace.content.tables import (CHANNEL_COLUMNS, PROGRAMME_COLUMNS, channel_from_row, columns,
                                      programme_from_row, within_age)
from twinspace.content.vod import VodTitle

# Candidates by BM25, each with the airing a show hit would point at (live or next, else the
# latest) and whether the person may see it, in one statement: a common word matches
# hundreds of shows, and a query per candidate would be most of the search time.
_CANDIDATES = """
WITH matches AS (
    SELECT kind, key, title, -rank AS relevance FROM content_search
    WHERE content_search MATCH :match AND home_id = :home {kind} ORDER BY rank LIMIT :candidates),
airings AS (
    SELECT m.*, CASE WHEN m.kind = 'programme' THEN coalesce(
        (SELECT rowid FROM content_programme p WHERE p.home_id = :home AND p.channel_id = m.key
         AND p.title = m.title AND p.stop_utc > :t {age} ORDER BY p.stop_utc LIMIT 1),
        (SELECT rowid FROM content_programme p WHERE p.home_id = :home AND p.channel_id = m.key
         AND p.title = m.title AND p.stop_utc <= :t {age} ORDER BY p.stop_utc DESC LIMIT 1)) END AS airing
    FROM matches m)
SELECT a.kind, a.key, a.title, a.relevance, a.airing, p.start_utc, p.stop_utc
FROM airings a LEFT JOIN content_programme p ON p.rowid = a.airing
WHERE CASE a.kind
    WHEN 'programme' THEN a.airing IS NOT NULL
        AND EXISTS (SELECT 1 FROM content_channel c WHERE c.home_id = :home AND c.id = a.key)
    WHEN 'vod' THEN EXISTS (SELECT 1 FROM content_vod v WHERE v.home_id = :home AND v.id = a.key {vod_age})
    ELSE 1 END
"""


def _fts(term: Term) -> str:
    return f'"{term.word}"' + ("*" if term.prefix else "")


def match_expression(groups: Sequence[Sequence[Term]]) -> str:
    """FTS5 MATCH text: every group, each any of its terms."""
    return " AND ".join("(" + " OR ".join(dict.fromkeys(_fts(t) for t in group)) + ")" for group in groups)


class Fts5Index:
    """content.search.SearchIndex on the catalogue's SQLite connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def has_prefix(self, word: str) -> bool:
        return self.conn.execute("SELECT 1 FROM content_search WHERE content_search MATCH ? LIMIT 1",
                                 (_fts(Term(word, prefix=True)),)).fetchone() is not None

    def similar_words(self, word: str, limit: int) -> list[str]:
        grams = " OR ".join(dict.fromkeys(f'"{word[i:i + 3]}"' for i in range(len(word) - 2)))
        rows = self.conn.execute("SELECT term FROM content_search_term WHERE content_search_term MATCH ? "
                                 "ORDER BY rank LIMIT ?", (grams, limit))
        return [term for (term,) in rows]

    def candidates(self, home_id: str, groups: Sequence[Sequence[Term]], *, kind: Optional[str], t: int,
                   max_age: Optional[int], limit: int) -> list[Candidate]:
        sql = _CANDIDATES.format(kind="AND kind = :kind" if kind else "", age=within_age(max_age, "p.rating_age"),
                                 vod_age=within_age(max_age, "v.rating_age"))
        params = {"home": home_id, "kind": kind, "candidates": limit, "t": t, "max_age": max_age,
                  "match": match_expression(groups)}
        return [Candidate(*row) for row in self.conn.execute(sql, params)]

    def channel(self, home_id: str, channel_id: str) -> Channel:
        row = self.conn.execute(f"SELECT {columns(CHANNEL_COLUMNS)} FROM content_channel WHERE home_id = ? AND id = ?",
                                (home_id, channel_id)).fetchone()
        return channel_from_row(row)

    def programme(self, airing: int) -> Programme:
        row = self.conn.execute(f"SELECT {columns(PROGRAMME_COLUMNS)} FROM content_programme WHERE rowid = ?",
                                (airing,)).fetchone()
        return programme_from_row(row)

    def vod(self, home_id: str, vod_id: str) -> VodTitle:
        (data,) = self.conn.execute("SELECT data FROM content_vod WHERE home_id = ? AND id = ?",
                                    (home_id, vod_id)).fetchone()
        return VodTitle.model_validate_json(data)


def refresh_terms(conn: Any) -> None:
    """Rebuild the trigram index of indexed words after the search documents changed."""
    conn.execute("DELETE FROM content_search_term")
    conn.execute("INSERT INTO content_search_term (term) SELECT term FROM content_search_vocab")


class SqliteCatalogSql:
    """content.catalog.CatalogSql for SQLite."""

    def has_category(self, column: str) -> str:
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE lower(value) = :category)"

    def search_index(self, conn: Any) -> Fts5Index:
        return Fts5Index(conn)
