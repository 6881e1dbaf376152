"""Unified search over channels, programmes, on-demand titles and apps.

Text relevance is SQLite FTS5 BM25 over one document per channel, per show (a title on a
channel with all its airings, so a daily news show is one hit, not 300) and per on-demand
title and app. Each query word also matches as a prefix ("ocean" finds "oceans",
"footbal" finds "football"); a word the index does not know is corrected against the
index's own words through a trigram index ("fotball"); neighbouring words are also tried
joined ("foot all"). Filler words ("find me something about ...") are dropped.

Documents with every word are looked for first; only when they are too few do documents
with any word join in (a broad OR over a large guide is the slow case, so it is the fallback).

Relevance is then weighed by what a person can act on now: a show airing at the search
time counts most, an upcoming airing more the sooner it is, a past one least. A show hit
points at its best airing (live, else next, else latest) that the rating limit allows.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from twinspace.content.models import App, Channel, Programme, name_key
from twinspace.content.tables import (CHANNEL_COLUMNS, PROGRAMME_COLUMNS, channel_from_row, columns, epoch,
                                      programme_from_row, within_age)
from twinspace.content.vod import VodTitle
from twinspace.errors import InvalidInput

KINDS = ("channel", "programme", "vod", "app")
CANDIDATES = 200  # best BM25 documents considered before time weighting
CORRECTION_CANDIDATES = 50
KIND_WEIGHT = {"channel": 2.5, "vod": 2.0, "app": 2.0}
LIVE_WEIGHT = 4.0
PAST_WEIGHT = 0.5
EXACT_TITLE_WEIGHT = 2.0
CLOSE_MATCH_CUTOFF = 0.75
# Words that say how to ask, not what to find: "find me something about the ocean" is "ocean".
FILLER_WORDS = frozenset("""a an and about any anything are find for i in is me my of on or play please put show
    some something the to want watch what whats with""".split())


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: str
    ref: str
    title: str
    subtitle: str
    score: float
    channel_ref: Optional[str] = None  # for a programme: the channel to tune to
    live: bool = False  # a programme airing at the search time


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


def search(conn: sqlite3.Connection, home_id: str, query: str, *, at: datetime, kind: str | None = None,
           max_age: int | None = None, limit: int = 20) -> list[SearchHit]:
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"search kind must be one of {', '.join(KINDS)}; got {kind!r}")
    words = query_words(query)
    if not words:
        raise InvalidInput("a search needs at least one word")
    words = [w for w in words if w not in FILLER_WORDS] or words
    choices = [_spellings(conn, word) for word in words]
    sql = _CANDIDATES.format(kind="AND kind = :kind" if kind else "", age=within_age(max_age, "p.rating_age"),
                             vod_age=within_age(max_age, "v.rating_age"))
    params = {"home": home_id, "kind": kind, "candidates": CANDIDATES, "t": epoch(at), "max_age": max_age}
    scored = _scored(conn, sql, {**params, "match": " AND ".join(_any(c) for c in choices)}, name_key(query))
    if len(scored) < limit and len(words) > 1:
        joined = [_spellings(conn, first + second) for first, second in zip(words, words[1:])]
        loose = _scored(conn, sql, {**params, "match": _any([t for c in choices + joined for t in c])},
                        name_key(query))
        scored = {**loose, **scored}  # a document with every word keeps that score
    ranked = sorted(scored.items(), key=lambda item: -item[1][0])[:limit]
    builder = _HitBuilder(conn, home_id, at)
    return [builder.hit(score, kind_, key, title, airing) for (kind_, key, title), (score, airing) in ranked]


def _scored(conn: sqlite3.Connection, sql: str, params: dict[str, Any],
            wanted: str) -> dict[tuple[str, str, str], tuple[float, int | None]]:
    """(kind, key, title) -> (score, airing rowid) for the documents the match finds."""
    scored = {}
    for kind, key, title, relevance, airing, start, stop in conn.execute(sql, params):
        weight = KIND_WEIGHT[kind] if airing is None else _time_weight(start, stop, params["t"])
        if name_key(title) == wanted:
            weight *= EXACT_TITLE_WEIGHT
        scored[(kind, key, title)] = (relevance * weight, airing)
    return scored


def _time_weight(start: int, stop: int, t: int) -> float:
    if start <= t < stop:
        return LIVE_WEIGHT
    if start > t:
        return 1 + 2 / (1 + (start - t) / 3600 / 6)  # 3 when about to start, 2 in six hours, ~1 next week
    return PAST_WEIGHT


def query_words(query: str) -> list[str]:
    """Lowercase words without accents, as the index's unicode61 tokenizer stores them."""
    decomposed = unicodedata.normalize("NFD", query.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.findall(r"\w+", unicodedata.normalize("NFC", bare))  # NFC: Hangul syllables back together


def _spellings(conn: sqlite3.Connection, word: str) -> list[str]:
    """FTS5 terms for one query word: itself (as a prefix from three letters on) and, when no
    indexed word starts with it, the indexed words closest to it."""
    terms = [f'"{word}"' + ("*" if len(word) >= 3 else "")]  # a one- or two-letter prefix matches too much
    if len(word) >= 4 and conn.execute("SELECT 1 FROM content_search WHERE content_search MATCH ? LIMIT 1",
                                       (terms[0],)).fetchone() is None:
        terms += [f'"{close}"' for close in _corrections(conn, word)]
    return terms


def _any(terms: list[str]) -> str:
    return "(" + " OR ".join(dict.fromkeys(terms)) + ")"


def _corrections(conn: sqlite3.Connection, word: str) -> list[str]:
    """Indexed words close to `word`: those sharing most of its trigrams, checked with difflib."""
    grams = " OR ".join(dict.fromkeys(f'"{word[i:i + 3]}"' for i in range(len(word) - 2)))
    rows = conn.execute("SELECT term FROM content_search_term WHERE content_search_term MATCH ? "
                        "ORDER BY rank LIMIT ?", (grams, CORRECTION_CANDIDATES))
    return difflib.get_close_matches(word, [term for (term,) in rows], n=3, cutoff=CLOSE_MATCH_CUTOFF)


def refresh_terms(conn: sqlite3.Connection) -> None:
    """Rebuild the trigram index of indexed words after the search documents changed."""
    conn.execute("DELETE FROM content_search_term")
    conn.execute("INSERT INTO content_search_term (term) SELECT term FROM content_search_vocab")


class _HitBuilder:
    """Turns a ranked candidate into the hit shown to the person."""

    def __init__(self, conn: sqlite3.Connection, home_id: str, at: datetime) -> None:
        self.conn, self.home_id, self.at = conn, home_id, at

    def hit(self, score: float, kind: str, key: str, title: str, airing: int | None) -> SearchHit:
        if kind == "programme":
            return self._programme(score, key, airing)
        if kind == "channel":
            channel = self._channel(key)
            details = [f"channel {channel.number}" if channel.number else "channel", channel.group]
            return SearchHit("channel", channel.ref, channel.name, " · ".join(d for d in details if d), score)
        if kind == "vod":
            (data,) = self.conn.execute("SELECT data FROM content_vod WHERE home_id = ? AND id = ?",
                                        (self.home_id, key)).fetchone()
            item = VodTitle.model_validate_json(data)
            details = [item.kind, str(item.year) if item.year else None,
                       f"rated {item.rating}" if item.rating else None]
            return SearchHit("vod", item.ref, item.title, " · ".join(d for d in details if d), score)
        return SearchHit("app", App(id=key, name=title).ref, title, "app", score)

    def _programme(self, score: float, channel_id: str, airing: int | None) -> SearchHit:
        row = self.conn.execute(f"SELECT {columns(PROGRAMME_COLUMNS)} FROM content_programme WHERE rowid = ?",
                                (airing,)).fetchone()
        programme, channel = programme_from_row(row), self._channel(channel_id)
        return SearchHit("programme", programme.ref, programme.title,
                         f"{channel.name} · {describe_airing(programme, self.at)}", score,
                         channel_ref=channel.ref, live=programme.airing_at(self.at))

    def _channel(self, channel_id: str) -> Channel:
        row = self.conn.execute(f"SELECT {columns(CHANNEL_COLUMNS)} FROM content_channel WHERE home_id = ? AND id = ?",
                                (self.home_id, channel_id)).fetchone()
        return channel_from_row(row)


def describe_airing(programme: Programme, at: datetime) -> str:
    """When a programme airs, relative to `at`, in the guide's own time zone: 'now until 20:30'."""
    zone = programme.start.tzinfo
    start, stop = programme.start, programme.stop
    if programme.airing_at(at):
        return f"now until {stop:%H:%M}"
    day = "today" if start.date() == at.astimezone(zone).date() else f"{start:%a %d %b}"
    if stop <= at:
        return f"aired {day} {start:%H:%M}"
    return f"{day} {start:%H:%M}–{stop:%H:%M}"
