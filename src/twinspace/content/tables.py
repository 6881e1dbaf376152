"""Rows of the catalogue tables (0002_content.sql) to and from the models, and write transactions."""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Iterator, Sequence

from twinspace.content.models import Channel, Programme
from twinspace.content.ratings import rating_age

CHANNEL_COLUMNS = ("id", "name", "url", "number", "grp", "logo", "tvg_name")
PROGRAMME_COLUMNS = ("channel_id", "start_utc", "stop_utc", "start_offset_min", "stop_offset_min", "title",
                     "description", "titles", "descriptions", "categories", "rating", "rating_system",
                     "season", "episode", "rating_age")
# rating_age comes last: it is stored for filtering and is not part of a Programme.


def columns(names: Sequence[str], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + name for name in names)


def channel_from_row(row: Sequence[Any]) -> Channel:
    return Channel(*row[: len(CHANNEL_COLUMNS)])


def channel_row(channel: Channel) -> tuple[Any, ...]:
    return (channel.id, channel.name, channel.url, channel.number, channel.group, channel.logo, channel.tvg_name)


def programme_from_row(row: Sequence[Any]) -> Programme:
    (channel_id, start, stop, start_offset, stop_offset, title, description, titles, descriptions,
     categories, rating, rating_system, season, episode) = row[: len(PROGRAMME_COLUMNS) - 1]
    return Programme(
        channel_id=channel_id, start=from_epoch(start, start_offset), stop=from_epoch(stop, stop_offset),
        title=title, titles=_lang_texts(titles), description=description, descriptions=_lang_texts(descriptions),
        categories=_texts(categories), rating=rating, rating_system=rating_system,
        season=season, episode=episode)


def programme_row(p: Programme) -> tuple[Any, ...]:
    """Values for PROGRAMME_COLUMNS, in order."""
    return (p.channel_id, epoch(p.start), epoch(p.stop), offset_minutes(p.start), offset_minutes(p.stop),
            p.title, p.description, _json_lang_texts(p.titles), _json_lang_texts(p.descriptions),
            _json_texts(p.categories), p.rating, p.rating_system, p.season, p.episode, rating_age(p.rating))


# Imports write ~170k rows per guide; json.dumps costs several µs a call, so these two fixed
# shapes are written with the C string quoting that json.dumps itself uses.
_quote = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _json_texts(texts: Sequence[str]) -> str:
    return "[" + ",".join(map(_quote, texts)) + "]"


def _json_lang_texts(texts: Sequence[tuple[str | None, str]]) -> str:
    pairs = [f"[{'null' if lang is None else _quote(lang)},{_quote(text)}]" for lang, text in texts]
    return "[" + ",".join(pairs) + "]"


# Reading a whole grid decodes thousands of these; show titles and categories repeat a lot.
@lru_cache(maxsize=8192)
def _lang_texts(text: str) -> tuple[tuple[str | None, str], ...]:
    return tuple((lang, value) for lang, value in json.loads(text))


@lru_cache(maxsize=1024)
def _texts(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def offset_minutes(moment: datetime) -> int:
    offset = moment.utcoffset()
    return offset // _MINUTE if offset else 0


_MINUTE = timedelta(minutes=1)


def from_epoch(seconds: int, offset_min: int) -> datetime:
    return datetime.fromtimestamp(seconds, _zone(offset_min))


@lru_cache(maxsize=None)
def _zone(offset_min: int) -> timezone:
    return timezone.utc if offset_min == 0 else timezone(timedelta(minutes=offset_min))


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing: commits when the block ends, rolls everything back if it raises.

    Inside a transaction the caller already holds (e.g. the store importing a whole home),
    this is a savepoint, so the caller's transaction decides in the end.
    """
    if conn.in_transaction:
        conn.execute("SAVEPOINT content_write")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO content_write")
            conn.execute("RELEASE content_write")
            raise
        conn.execute("RELEASE content_write")
        return
    conn.execute("BEGIN IMMEDIATE")  # take the write lock now, not halfway through an import
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def within_age(max_age: int | None, column: str = "rating_age") -> str:
    """SQL condition (with a leading AND) keeping rows rated within `:max_age`; '' for no limit.

    A NULL age is an unknown rating and never passes a limit (see ratings.py).
    """
    return "" if max_age is None else f" AND {column} IS NOT NULL AND {column} <= :max_age"
