"""Unified search over channels, programmes, on-demand titles and apps.

Text relevance comes from the store's full-text index (`SearchIndex`): SQLite FTS5 BM25
(store/search_sqlite.py) or PostgreSQL `tsvector` weights (store/search_pg.py), over one
document per channel, per show (a title on a channel with all its airings, so a daily news
show is one hit, not 300) and per on-demand title and app, weighing title over keywords
(genres, other-language titles, a channel's group) over description. Each query word also
matches as a prefix ("ocean" finds "oceans", "footbal" finds "football"); a word the index
does not know is corrected against the index's own words through a trigram index
("fotball"); neighbouring words are also tried joined ("foot all"). Filler words ("find me
something about ...") are dropped. This module decides all of that and the ranking; the
index only matches and scores terms, so both stores rank alike.

Documents with every word are looked for first; only when they are too few do documents
with any word join in (a broad OR over a large guide is the slow case, so it is the fallback).

Relevance is then weighed by what a person can act on now: a show airing at the search
time counts most, an upcoming airing more the sooner it is, a past one least. A show hit
points at its best airing (live, else next, else latest) that the rating limit allows.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional, Protocol, Sequence

from twinspace.content.models import App, Channel, Programme, name_key
from twinspace.content.tables import epoch
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


@dataclass(frozen=True, slots=True)
class Term:
    """One word to match: exactly, or as a prefix of indexed words."""

    word: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Candidate:
    """A matching document, its text relevance (higher is better) and, for a show, the airing
    a hit would point at (live or next, else the latest the rating limit allows)."""

    kind: str
    key: str
    title: str
    relevance: float
    airing: Optional[int] = None  # the index's id of that programme row
    start: Optional[int] = None  # its UTC epoch start and stop
    stop: Optional[int] = None


class SearchIndex(Protocol):
    """What search needs from a store's full-text index of one catalogue."""

    def has_prefix(self, word: str) -> bool:
        """Whether some indexed word starts with `word`."""
        ...

    def similar_words(self, word: str, limit: int) -> list[str]:
        """Up to `limit` indexed words sharing the most trigrams with `word`, best first."""
        ...

    def candidates(self, home_id: str, groups: Sequence[Sequence[Term]], *, kind: Optional[str], t: int,
                   max_age: Optional[int], limit: int) -> list[Candidate]:
        """The best `limit` documents matching some term of every group (an AND of ORs); a
        show only if it has an airing within `max_age` on a channel of the lineup, an on-demand
        title only within `max_age`."""
        ...

    def channel(self, home_id: str, channel_id: str) -> Channel: ...

    def programme(self, airing: int) -> Programme: ...

    def vod(self, home_id: str, vod_id: str) -> VodTitle: ...


def search(index: SearchIndex, home_id: str, query: str, *, at: datetime, kind: str | None = None,
           max_age: int | None = None, limit: int = 20) -> list[SearchHit]:
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"search kind must be one of {', '.join(KINDS)}; got {kind!r}")
    words = query_words(query)
    if not words:
        raise InvalidInput("a search needs at least one word")
    words = [w for w in words if w not in FILLER_WORDS] or words
    choices = [_spellings(index, word) for word in words]
    t = epoch(at)

    def scored(groups: Sequence[Sequence[Term]]) -> dict[tuple[str, str, str], tuple[float, int | None]]:
        found = index.candidates(home_id, groups, kind=kind, t=t, max_age=max_age, limit=CANDIDATES)
        return _scored(found, t, name_key(query))

    best = scored(choices)
    if len(best) < limit and len(words) > 1:
        joined = [_spellings(index, first + second) for first, second in zip(words, words[1:])]
        loose = scored([_unique(term for c in choices + joined for term in c)])
        best = {**loose, **best}  # a document with every word keeps that score
    ranked = sorted(best.items(), key=lambda item: -item[1][0])[:limit]
    builder = _HitBuilder(index, home_id, at)
    return [builder.hit(score, kind_, key, title, airing) for (kind_, key, title), (score, airing) in ranked]


def _scored(found: Iterable[Candidate], t: int,
            wanted: str) -> dict[tuple[str, str, str], tuple[float, int | None]]:
    """(kind, key, title) -> (score, airing id) for the documents the match found."""
    scored = {}
    for c in found:
        weight = KIND_WEIGHT[c.kind] if c.airing is None else _time_weight(c.start or 0, c.stop or 0, t)
        if name_key(c.title) == wanted:
            weight *= EXACT_TITLE_WEIGHT
        scored[(c.kind, c.key, c.title)] = (c.relevance * weight, c.airing)
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


def _spellings(index: SearchIndex, word: str) -> list[Term]:
    """The terms for one query word: itself (as a prefix from three letters on) and, when no
    indexed word starts with it, the indexed words closest to it."""
    terms = [Term(word, prefix=len(word) >= 3)]  # a one- or two-letter prefix matches too much
    if len(word) >= 4 and not index.has_prefix(word):
        terms += [Term(close) for close in _corrections(index, word)]
    return terms


def _unique(terms: Iterable[Term]) -> list[Term]:
    return list(dict.fromkeys(terms))


def _corrections(index: SearchIndex, word: str) -> list[str]:
    """Indexed words close to `word`: those sharing most of its trigrams, checked with difflib."""
    return difflib.get_close_matches(word, index.similar_words(word, CORRECTION_CANDIDATES), n=3,
                                     cutoff=CLOSE_MATCH_CUTOFF)


class _HitBuilder:
    """Turns a ranked candidate into the hit shown to the person."""

    def __init__(self, index: SearchIndex, home_id: str, at: datetime) -> None:
        self.index, self.home_id, self.at = index, home_id, at

    def hit(self, score: float, kind: str, key: str, title: str, airing: int | None) -> SearchHit:
        if kind == "programme":
            assert airing is not None  # the index only offers shows with an airing
            programme, channel = self.index.programme(airing), self.index.channel(self.home_id, key)
            return SearchHit("programme", programme.ref, programme.title,
                             f"{channel.name} · {describe_airing(programme, self.at)}", score,
                             channel_ref=channel.ref, live=programme.airing_at(self.at))
        if kind == "channel":
            channel = self.index.channel(self.home_id, key)
            details = [f"channel {channel.number}" if channel.number else "channel", channel.group]
            return SearchHit("channel", channel.ref, channel.name, " · ".join(d for d in details if d), score)
        if kind == "vod":
            item = self.index.vod(self.home_id, key)
            details = [item.kind, str(item.year) if item.year else None,
                       f"rated {item.rating}" if item.rating else None]
            return SearchHit("vod", item.ref, item.title, " · ".join(d for d in details if d), score)
        return SearchHit("app", App(id=key, name=title).ref, title, "app", score)


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
