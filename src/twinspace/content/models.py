"""The catalogue's things: channels, programmes, what airs where, apps.

On-demand titles live in `vod.py` because they are validated from a file format.
Every item has `title`, `rating` and `ref`, which is what the rest of the hub reads.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from twinspace.home import model as home_model

LangText = tuple[Optional[str], str]  # (language code or None, text)

PROGRAMME_START_FORMAT = "%Y%m%d%H%M%S"  # programme ids carry their UTC start in this form


def name_key(name: str) -> str:
    """A name reduced to casefolded letters and digits, so 'Sports One' finds 'sports-one'."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def slug(name: str) -> str:
    """A stable id made from a name: 'Cook & Eat' -> 'cook-eat'."""
    text = re.sub(r"[^\w]+", "-", name.casefold()).strip("-_")
    return text or "channel-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]


def pick_language(texts: tuple[LangText, ...], preferred: str = "en") -> str | None:
    """The text in the preferred language (or a regional form of it, 'en-GB'), else the first."""
    if len(texts) == 1:
        return texts[0][1]
    for lang, text in texts:
        if lang and lang.split("-")[0].casefold() == preferred.casefold():
            return text
    return texts[0][1] if texts else None


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    name: str
    url: str
    number: str | None = None  # tvg-chno as written ("5", "5.1")
    group: str | None = None
    logo: str | None = None
    tvg_name: str | None = None

    @property
    def ref(self) -> str:
        return f"channel:{self.id}"

    @property
    def title(self) -> str:
        return self.name

    @property
    def rating(self) -> None:
        return None  # a channel is not rated; what airs on it is


@dataclass(slots=True)  # not frozen: its __init__ would cost ~2 µs more per programme of a 170k import
class Programme:
    channel_id: str
    start: datetime  # timezone-aware, in the guide's own offset
    stop: datetime
    title: str  # in the preferred language
    titles: tuple[LangText, ...] = ()  # every language the guide gave
    description: str | None = None
    descriptions: tuple[LangText, ...] = ()
    categories: tuple[str, ...] = ()
    rating: str | None = None
    rating_system: str | None = None
    season: int | None = None  # 1-based, as people say them
    episode: int | None = None

    @property
    def id(self) -> str:
        return programme_id(self.channel_id, self.start)

    @property
    def ref(self) -> str:
        return f"programme:{self.id}"

    @property
    def episode_label(self) -> str | None:
        """'S02E05', 'S02' or 'E05', or None when the guide gives no numbers."""
        parts = []
        if self.season is not None:
            parts.append(f"S{self.season:02d}")
        if self.episode is not None:
            parts.append(f"E{self.episode:02d}")
        return "".join(parts) or None

    def airing_at(self, at: datetime) -> bool:
        return self.start <= at < self.stop


def programme_id(channel_id: str, start: datetime) -> str:
    """Stable id of a programme: its channel and UTC start, e.g. 'sportsone.kr/20261128103000'."""
    return f"{channel_id}/{start.astimezone(timezone.utc).strftime(PROGRAMME_START_FORMAT)}"


def split_programme_id(programme_id: str) -> tuple[str, datetime]:
    """(channel id, UTC start) of a programme id; ValueError when it is not one."""
    channel_id, _, start = programme_id.rpartition("/")
    if not channel_id:
        raise ValueError(programme_id)
    return channel_id, datetime.strptime(start, PROGRAMME_START_FORMAT).replace(tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Listing:
    """A programme together with the channel it airs on."""

    channel: Channel
    programme: Programme


@dataclass(frozen=True, slots=True)
class NowNext:
    channel: Channel
    now: Programme | None
    next: Programme | None


App = home_model.App  # one app model: the home file's (home/model.py)
