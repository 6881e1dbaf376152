"""Unified search over channels, programmes, on-demand titles and apps.

Text relevance is SQLite FTS5 BM25 over one document per channel, per show (a title on a
channel, all its airings together, so a daily news show is one hit, not 300) and per
on-demand title and app. Each query word is also a prefix ("ocean" finds "oceans",
"footbal" finds "football"); a word the index does not know is corrected against the
index vocabulary ("fotball"), and neighbouring words are also tried joined ("foot all").

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
from typing import Any, Callable, Optional

from twinspace.content.models import App, Channel, Programme, name_key
from twinspace.content.tables import (CHANNEL_COLUMNS, PROGRAMME_COLUMNS, channel_from_row, columns, epoch,
                                      programme_from_row, within_age)
from twinspace.content.vod import VodTitle
from twinspace.errors import InvalidInput

KINDS = ("channel", "programme", "vod", "app")
CANDIDATES = 300  # best BM25 documents considered before time weighting
KIND_WEIGHT = {"channel": 2.5, "vod": 2.0, "app": 2.0}
LIVE_WEIGHT = 4.0
PAST_WEIGHT = 0.5
EXACT_TITLE_WEIGHT = 2.0
CLOSE_MATCH_CUTOFF = 0.75


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: str
    ref: str
    title: str
    subtitle: str
    score: float
    channel_ref: Optional[str] = None  # for a programme: the channel to tune to
    live: bool = False  # a programme airing at the search time


def search(conn: sqlite3.Connection, home_id: str, query: str, *, at: datetime, kind: str | None = None,
           max_age: int | None = None, limit: int = 20) -> list[SearchHit]:
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"search kind must be one of {', '.join(KINDS)}; got {kind!r}")
    words = query_words(query)
    if not words:
        raise InvalidInput("a search needs at least one word")
    sql = ("SELECT kind, key, title, -rank FROM content_search WHERE content_search MATCH ? AND home_id = ?"
           + (" AND kind = ?" if kind else "") + " ORDER BY rank LIMIT ?")
    params: list[Any] = [match_expression(conn, words), home_id] + ([kind] if kind else []) + [CANDIDATES]
    wanted = name_key(query)
    finder = _HitFinder(conn, home_id, at, max_age)
    hits = []
    for doc_kind, key, title, relevance in conn.execute(sql, params).fetchall():
        hit = finder.hit(doc_kind, key, title, relevance * (EXACT_TITLE_WEIGHT if name_key(title) == wanted else 1))
        if hit is not None:
            hits.append(hit)
    hits.sort(key=lambda h: -h.score)
    return hits[:limit]


def query_words(query: str) -> list[str]:
    """Lowercase words without accents, as the index's unicode61 tokenizer stores them."""
    decomposed = unicodedata.normalize("NFKD", query.casefold())
    return re.findall(r"\w+", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def match_expression(conn: sqlite3.Connection, words: list[str]) -> str:
    """An FTS5 OR-query of each word as a prefix plus spelling corrections and joined pairs."""
    terms = []
    for word in words:
        terms.append(_term(word, prefix=len(word) >= 3))  # a prefix of one or two letters matches too much
        if len(word) >= 4 and not _known_prefix(conn, word):
            terms += [_term(c) for c in _corrections(conn, word)]
    for first, second in zip(words, words[1:]):
        joined = first + second
        if _known_prefix(conn, joined):
            terms.append(_term(joined, prefix=True))
        else:
            terms += [_term(c) for c in _corrections(conn, joined)]
    return " OR ".join(dict.fromkeys(terms))


def _term(word: str, prefix: bool = False) -> str:
    return f'"{word}"' + ("*" if prefix else "")


def _known_prefix(conn: sqlite3.Connection, word: str) -> bool:
    row = conn.execute("SELECT 1 FROM content_search_vocab WHERE term >= ? AND term < ? LIMIT 1",
                       (word, word + "\U0010ffff")).fetchone()
    return row is not None


def _corrections(conn: sqlite3.Connection, word: str) -> list[str]:
    """Indexed words close to `word`. Only words with the same first letter are considered:
    it keeps the lookup a short range scan, and first letters are rarely the typo."""
    first = word[0]
    rows = conn.execute("SELECT term FROM content_search_vocab WHERE term >= ? AND term < ?",
                        (first, chr(ord(first) + 1)))
    near = [term for (term,) in rows if abs(len(term) - len(word)) <= 2]
    return difflib.get_close_matches(word, near, n=3, cutoff=CLOSE_MATCH_CUTOFF)


class _HitFinder:
    """Turns a matching document into a hit the person may see, or None."""

    def __init__(self, conn: sqlite3.Connection, home_id: str, at: datetime, max_age: int | None) -> None:
        self.conn, self.home_id, self.at, self.max_age = conn, home_id, at, max_age
        self.t = epoch(at)
        self._channels: dict[str, Channel | None] = {}
        self.builders: dict[str, Callable[[str, str, float], SearchHit | None]] = {
            "channel": self._channel_hit, "programme": self._programme_hit, "vod": self._vod_hit,
            "app": self._app_hit}

    def hit(self, kind: str, key: str, title: str, relevance: float) -> SearchHit | None:
        return self.builders[kind](key, title, relevance)

    def channel(self, channel_id: str) -> Channel | None:
        if channel_id not in self._channels:
            row = self.conn.execute(f"SELECT {columns(CHANNEL_COLUMNS)} FROM content_channel "
                                    "WHERE home_id = ? AND id = ?", (self.home_id, channel_id)).fetchone()
            self._channels[channel_id] = channel_from_row(row) if row else None
        return self._channels[channel_id]

    def _channel_hit(self, key: str, title: str, relevance: float) -> SearchHit | None:
        channel = self.channel(key)
        if channel is None:
            return None
        details = [f"channel {channel.number}" if channel.number else "channel", channel.group]
        return SearchHit("channel", channel.ref, channel.name, " · ".join(d for d in details if d),
                         relevance * KIND_WEIGHT["channel"])

    def _programme_hit(self, channel_id: str, title: str, relevance: float) -> SearchHit | None:
        channel = self.channel(channel_id)
        programme = self._best_airing(channel_id, title) if channel else None
        if channel is None or programme is None:
            return None
        live = programme.airing_at(self.at)
        if live:
            weight = LIVE_WEIGHT
        elif programme.start > self.at:
            hours = (programme.start - self.at).total_seconds() / 3600
            weight = 1 + 2 / (1 + hours / 6)  # 3 when about to start, 2 in six hours, ~1 next week
        else:
            weight = PAST_WEIGHT
        return SearchHit("programme", programme.ref, programme.title,
                         f"{channel.name} · {describe_airing(programme, self.at)}", relevance * weight,
                         channel_ref=channel.ref, live=live)

    def _best_airing(self, channel_id: str, title: str) -> Programme | None:
        base = (f"SELECT {columns(PROGRAMME_COLUMNS)} FROM content_programme WHERE home_id = :home "
                f"AND channel_id = :channel AND title = :title{within_age(self.max_age)}")
        params = {"home": self.home_id, "channel": channel_id, "title": title, "max_age": self.max_age, "t": self.t}
        row = (self.conn.execute(base + " AND stop_utc > :t ORDER BY stop_utc LIMIT 1", params).fetchone()
               or self.conn.execute(base + " AND stop_utc <= :t ORDER BY stop_utc DESC LIMIT 1", params).fetchone())
        return programme_from_row(row) if row else None

    def _vod_hit(self, key: str, title: str, relevance: float) -> SearchHit | None:
        row = self.conn.execute("SELECT data FROM content_vod WHERE home_id = :home AND id = :id"
                                + within_age(self.max_age),
                                {"home": self.home_id, "id": key, "max_age": self.max_age}).fetchone()
        if row is None:
            return None
        item = VodTitle.model_validate_json(row[0])
        details = [item.kind, str(item.year) if item.year else None, f"rated {item.rating}" if item.rating else None]
        return SearchHit("vod", item.ref, item.title, " · ".join(d for d in details if d),
                         relevance * KIND_WEIGHT["vod"])

    def _app_hit(self, key: str, title: str, relevance: float) -> SearchHit | None:
        return SearchHit("app", App(key, title).ref, title, "app", relevance * KIND_WEIGHT["app"])


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
