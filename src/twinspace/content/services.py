"""The content services a hub hands its actions (`Hub(store, services=ContentServices(store))`):
the catalogue, content lookups that judge a live channel by what airs on it, and resume points.

The catalogue comes from the store (`store.content_catalog()`, a CatalogStore): on SQLite
store.content_sqlite, on PostgreSQL store.catalog_pg. Resume points are plain SQL both
stores take, in the store's own transactions.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Optional, Protocol, cast

from twinspace.content import playback as rules
from twinspace.content.catalog import Catalog
from twinspace.content.models import Channel, Programme
from twinspace.content.ratings import allowed
from twinspace.content.report import ImportReport
from twinspace.errors import InvalidInput, NotAllowed, NotFound, TwinspaceError
from twinspace.home.model import Home, Playback
from twinspace.store.base import HomeStore, utcnow

# What a refusal prints for content without a rating. ratings.rating_age("unrated") is None,
# so it is judged exactly like a missing rating (conservatively).
UNRATED = "unrated"


@dataclass(frozen=True)
class Resolved:
    """Content a ref names, as the rating gate and the playback actions see it."""

    ref: str
    kind: str  # channel, programme, vod or app
    name: str  # its plain name: "Sports One", "Starfall"
    title: str  # what a person is told: for a channel, also what is on ("Sports One (now: ...)")
    rating: str  # of the item, or of what airs on a channel; UNRATED when unknown
    duration_s: Optional[float] = None  # on-demand titles
    airing: Optional[Programme] = None  # live content: the programme on at the time asked
    channel: Optional[Channel] = None  # live content: the channel it is on


class CatalogStore(Protocol):
    """A store's content catalogue: reads through `catalog`, imports in the store's transactions."""

    catalog: Catalog

    def import_home_content(self, home: Home, files: Mapping[str, bytes], *,
                            allow_empty: bool = False) -> list[ImportReport]:
        """All or nothing: a malformed file raises FormatError and the catalogue stays as it was."""
        ...

    def set_apps(self, home_id: str, apps: Any) -> None: ...

    def close(self) -> None: ...


class ContentServices:
    allowed = staticmethod(allowed)  # the rating rule: allowed(rating, max_rating)

    def __init__(self, store: HomeStore, *, clock: Callable[[], datetime] = utcnow, preferred_lang: str = "en") -> None:
        self.store = store
        self.clock = clock
        self.content: CatalogStore = store.content_catalog(preferred_lang=preferred_lang)
        self.catalog = self.content.catalog
        self.last_report: Optional[str] = None  # of the last home import, for the CLI to show

    def close(self) -> None:
        self.content.close()

    def at(self, moment: datetime) -> "ContentServices":
        """These services with "now" fixed at `moment` (an action's time), sharing everything else."""
        view = copy.copy(self)
        view.clock = lambda: moment
        return view

    # --- imports ---------------------------------------------------------------------

    def import_home_content(self, home: Home, files: Mapping[str, bytes], *,
                            allow_empty: bool = False) -> list[ImportReport]:
        """Import the lineup, guide and on-demand files `home.content` names, and its apps.

        All or nothing: a malformed file raises FormatError (file, line, column) and the
        catalogue stays as it was.
        """
        reports = self.content.import_home_content(home, files, allow_empty=allow_empty)
        lines = [str(report) for report in reports]
        if home.content.apps:
            lines.append(f"apps: {', '.join(app.name for app in home.content.apps)}")
        self.last_report = "\n".join(lines) or None
        return reports

    def set_apps(self, home_id: str, apps: Any) -> None:
        """Replace the home's apps in the catalogue (a TV's bridge reported new ones)."""
        self.content.set_apps(home_id, apps)

    # --- what a ref names ------------------------------------------------------------

    def resolve(self, home_id: str, ref: str, *, at: Optional[datetime] = None,
                max_rating: Optional[str] = None) -> Resolved:
        """The content `ref` names; NotFound if the home has no such thing, NotAllowed if it is
        above `max_rating`. A channel is rated by the programme on it at `at` (default: now)."""
        item = self._resolve(home_id, ref, at or self.clock())
        if max_rating is not None and not allowed(item.rating, max_rating):
            raise NotAllowed(f"{item.title} is rated {item.rating}, above the limit of {max_rating}")
        return item

    def _resolve(self, home_id: str, ref: str, at: datetime) -> Resolved:
        kind = ref.partition(":")[0]
        item = self.catalog.resolve(home_id, ref)  # raises InvalidInput / NotFound
        if kind == "channel":
            channel = cast(Channel, item)
            airing = self.now_on(home_id, channel.id, at)
            title = f"{channel.name} (now: {airing.title})" if airing else channel.name
            return Resolved(ref, kind, channel.name, title, (airing and airing.rating) or UNRATED,
                            airing=airing, channel=channel)
        if kind == "programme":
            programme = cast(Programme, item)
            try:
                channel_of: Optional[Channel] = self.catalog.channel(home_id, programme.channel_id)
            except NotFound:  # the guide may list channels the lineup does not have
                channel_of = None
            return Resolved(ref, kind, programme.title, programme.title, programme.rating or UNRATED,
                            airing=programme, channel=channel_of)
        duration = getattr(item, "duration_s", None)
        return Resolved(ref, kind, item.title, item.title, item.rating or UNRATED,
                        duration_s=float(duration) if duration else None)

    def title_of(self, home_id: str, ref: str) -> str:
        """The plain name of what `ref` names, or the ref itself when the catalogue lacks it."""
        try:
            return self.resolve(home_id, ref).name
        except TwinspaceError:  # a message must not fail over a title the catalogue lost
            return ref

    def duration_of(self, home_id: str, ref: str) -> Optional[float]:
        """An on-demand title's length in seconds; None for live content or when unknown."""
        if not ref.startswith("vod:"):
            return None
        try:
            return self.resolve(home_id, ref).duration_s
        except TwinspaceError:
            return None

    def now_on(self, home_id: str, channel_id: str, at: datetime) -> Optional[Programme]:
        """The programme airing on a channel at `at`, if the guide has one."""
        listings = self.catalog.at(home_id, at, channel=channel_id)
        return listings[0].programme if listings else None

    # --- resume points ---------------------------------------------------------------

    def remember(self, home_id: str, session: Optional[Playback], at: datetime,
                 person: Optional[str] = None) -> None:
        """Save where a session of an on-demand title is at `at`, for whoever started it (or `person`)."""
        if session is None or rules.is_live(session.content):
            return
        position = rules.position_at(session, at, self.duration_of(home_id, session.content))
        self.save_resume(home_id, session.person or person, session.content, position, at)

    def save_resume(self, home_id: str, person: Optional[str], ref: str, position_s: Optional[float],
                    at: datetime) -> None:
        """Remember where `person` is in an on-demand title (live content has no position)."""
        if person is None or position_s is None or rules.is_live(ref):
            return
        with self.store.transaction() as c:
            c.execute("INSERT INTO playback_resume (home_id, person, content, position_s, updated_at) "
                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (home_id, person, content) DO UPDATE SET "
                      "position_s = excluded.position_s, updated_at = excluded.updated_at",
                      (home_id, person, ref, float(position_s), _utc_iso(at)))

    def resume_point(self, home_id: str, person: Optional[str], ref: str) -> Optional[rules.ResumePoint]:
        if person is None:
            return None
        with self.store.reading() as c:
            row = c.execute("SELECT position_s, updated_at FROM playback_resume WHERE home_id = ? AND person = ? "
                            "AND content = ?", (home_id, person, ref)).fetchone()
        return None if row is None else rules.ResumePoint(ref, row[0], datetime.fromisoformat(row[1]))

    def continue_watching(self, home: Home, person_id: str, at: datetime) -> list[rules.ContinueItem]:
        """The on-demand titles `person_id` is part-way through, most recent first, within their
        rating limit. What they are watching right now counts at its live position."""
        with self.store.reading() as c:
            rows = c.execute("SELECT content, position_s, updated_at FROM playback_resume "
                             "WHERE home_id = ? AND person = ?", (home.id, person_id)).fetchall()
        points = {ref: rules.ResumePoint(ref, pos, datetime.fromisoformat(when)) for ref, pos, when in rows}
        person = home.person(person_id)
        limit = person.max_rating if person else None
        titles = {t.ref: (t.title, float(t.duration_s) if t.duration_s else None)
                  for t in self.catalog.vod_titles(home.id, max_rating=limit)}
        for session in home.playback.values():
            if session.person == person_id and session.content in titles:
                position = rules.position_at(session, at, titles[session.content][1])
                if position is not None:
                    points[session.content] = rules.ResumePoint(session.content, position, at)
        return rules.continue_watching(points.values(), titles)


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidInput(f"the time {moment.isoformat()} has no UTC offset")
    return moment.astimezone(timezone.utc).isoformat()
