"""The content search index on PostgreSQL: weighted `tsvector` and `pg_trgm`.

Tables: store/migrations_pg/0004_content.sql. Text relevance is BM25 computed as SQLite's
FTS5 does it, over the title, keywords and description vectors weighed 10 : 4 : 1 (so both
stores rank alike; `ts_rank` has no idf and no length normalisation like it), a prefix term
is `word:*`, and the words closest to a misspelt one come from a
trigram index of every indexed word. Implements content.search.SearchIndex on one
connection of the store (inside a `reading()` or `transaction()` block).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from twinspace.content.models import Channel, Programme
from twinspace.content.search import Candidate, Term
from twinspace.content.tables import (CHANNEL_COLUMNS, PROGRAMME_COLUMNS, channel_from_row, columns,
                                      programme_from_row, within_age)
from twinspace.content.vod import VodTitle

SIMILARITY = "0.2"  # pg_trgm threshold for a correction candidate (difflib decides after)
K1, B = 1.2, 0.75  # FTS5's BM25 constants
FIELD_WEIGHTS = (10, 4, 1)  # title, keywords, body: bm25(10.0, 4.0, 1.0) in migrations/0002_content.sql

# BM25 as FTS5 computes it (fts5_aux.c): for each query term, its hits weighed by field
# (w), idf = ln((N - n + 0.5) / (n + 0.5)) (at least 1e-6) over every document of the
# table, and the document's length against the average; summed over the terms. A prefix
# term counts every word starting with it.
_HITS = ("(SELECT coalesce(sum(cardinality(u.positions)), 0) FROM unnest(s.{field}) u "
         "WHERE u.lexeme = t.word OR (t.prefix AND starts_with(u.lexeme, t.word)))")
_BM25 = f"""(SELECT coalesce(sum(t.idf * (x.w * {K1 + 1}) / (x.w + {K1} * ({1 - B} + {B} * s.length / st.avgdl))), 0)
    FROM terms t CROSS JOIN LATERAL (SELECT {FIELD_WEIGHTS[0]} * {_HITS.format(field="title_doc")}
        + {FIELD_WEIGHTS[1]} * {_HITS.format(field="keywords_doc")}
        + {FIELD_WEIGHTS[2]} * {_HITS.format(field="body_doc")} AS w) x
    WHERE x.w > 0)"""

_CANDIDATES = """
WITH terms AS (
    SELECT t.word, t.prefix, greatest(ln((st.n - t.hits + 0.5) / (t.hits + 0.5)), 1e-6) AS idf
    FROM unnest(%(words)s::text[], %(prefixes)s::bool[], %(hits)s::float8[]) AS t(word, prefix, hits),
         (SELECT count(*) AS n FROM content_search) st),
matches AS (
    SELECT s.kind, s.key, s.title, {relevance} AS relevance
    FROM content_search s, to_tsquery('simple', %(match)s) AS q(q),
         (SELECT greatest(avg(length), 1) AS avgdl FROM content_search) st
    WHERE s.doc @@ q.q AND s.home_id = %(home)s {kind}
    ORDER BY relevance DESC, s.id LIMIT %(candidates)s),
airings AS (
    SELECT m.*, CASE WHEN m.kind = 'programme' THEN coalesce(
        (SELECT rowid FROM content_programme p WHERE p.home_id = %(home)s AND p.channel_id = m.key
         AND p.title = m.title AND p.stop_utc > %(t)s {age} ORDER BY p.stop_utc LIMIT 1),
        (SELECT rowid FROM content_programme p WHERE p.home_id = %(home)s AND p.channel_id = m.key
         AND p.title = m.title AND p.stop_utc <= %(t)s {age} ORDER BY p.stop_utc DESC LIMIT 1)) END AS airing
    FROM matches m)
SELECT a.kind, a.key, a.title, a.relevance, a.airing, p.start_utc, p.stop_utc
FROM airings a LEFT JOIN content_programme p ON p.rowid = a.airing
WHERE CASE a.kind
    WHEN 'programme' THEN a.airing IS NOT NULL
        AND EXISTS (SELECT 1 FROM content_channel c WHERE c.home_id = %(home)s AND c.id = a.key)
    WHEN 'vod' THEN EXISTS (SELECT 1 FROM content_vod v WHERE v.home_id = %(home)s AND v.id = a.key {vod_age})
    ELSE true END
ORDER BY a.relevance DESC
"""


def _lexeme(term: Term) -> str:
    quoted = "'" + term.word.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + (":*" if term.prefix else "")


def tsquery(groups: Sequence[Sequence[Term]]) -> str:
    """to_tsquery text: every group, each any of its terms."""
    return " & ".join("(" + " | ".join(dict.fromkeys(_lexeme(t) for t in group)) + ")" for group in groups)


def _age(max_age: Optional[int], column: str) -> str:
    return within_age(max_age, column).replace(":max_age", "%(max_age)s")


def _like_prefix(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class PgSearchIndex:
    """content.search.SearchIndex on a psycopg connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def has_prefix(self, word: str) -> bool:
        return self.conn.execute("SELECT 1 FROM content_search_term WHERE term LIKE %s LIMIT 1",
                                 (_like_prefix(word),)).fetchone() is not None

    def similar_words(self, word: str, limit: int) -> list[str]:
        self.conn.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", (SIMILARITY,))
        rows = self.conn.execute("SELECT term FROM content_search_term WHERE term %% %(w)s "
                                 "ORDER BY similarity(term, %(w)s) DESC, term LIMIT %(n)s", {"w": word, "n": limit})
        return [term for (term,) in rows]

    def candidates(self, home_id: str, groups: Sequence[Sequence[Term]], *, kind: Optional[str], t: int,
                   max_age: Optional[int], limit: int) -> list[Candidate]:
        sql = _CANDIDATES.format(kind="AND s.kind = %(kind)s" if kind else "", age=_age(max_age, "p.rating_age"),
                                 vod_age=_age(max_age, "v.rating_age"),
                                 relevance=_BM25)
        terms = list(dict.fromkeys(term for group in groups for term in group))
        # Documents matching each term, over the whole table as FTS5 counts them (GIN lookups).
        hits = [row[0] for row in self.conn.execute(
            "SELECT (SELECT count(*) FROM content_search WHERE doc @@ to_tsquery('simple', x)) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i", ([_lexeme(t) for t in terms],))]
        params = {"home": home_id, "kind": kind, "candidates": limit, "t": t, "max_age": max_age,
                  "match": tsquery(groups), "words": [t.word for t in terms],
                  "prefixes": [t.prefix for t in terms], "hits": hits}
        return [Candidate(*row) for row in self.conn.execute(sql, params)]

    def channel(self, home_id: str, channel_id: str) -> Channel:
        row = self.conn.execute(f"SELECT {columns(CHANNEL_COLUMNS)} FROM content_channel "
                                "WHERE home_id = %s AND id = %s", (home_id, channel_id)).fetchone()
        return channel_from_row(row)

    def programme(self, airing: int) -> Programme:
        row = self.conn.execute(f"SELECT {columns(PROGRAMME_COLUMNS)} FROM content_programme WHERE rowid = %s",
                                (airing,)).fetchone()
        return programme_from_row(row)

    def vod(self, home_id: str, vod_id: str) -> VodTitle:
        (data,) = self.conn.execute("SELECT data FROM content_vod WHERE home_id = %s AND id = %s",
                                    (home_id, vod_id)).fetchone()
        return VodTitle.model_validate_json(data)
