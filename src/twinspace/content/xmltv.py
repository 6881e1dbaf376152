"""XMLTV programme guides, streamed in and written out.

Guides can be large (a week of a thousand channels is ~170k programmes), so the reader
uses `lxml.etree.iterparse` and clears each element once read: memory stays flat however
big the file. Broken XML is fatal (FormatError with line and column); a single programme
that cannot be understood (an unparsable time, no title) is skipped and counted instead.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import BinaryIO, Iterable, Iterator, Mapping

from lxml import etree

from twinspace.content.models import LangText, Programme, pick_language
from twinspace.content.report import SkipLog
from twinspace.content.sources import READ_ERRORS, Source, open_binary, source_name, unreadable, where
from twinspace.errors import FormatError

# YYYYMMDD[hh[mm[ss]]] then an optional offset or zone name; a time without either is UTC.
_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?\s*(?:([+-])(\d{2}):?(\d{2})|([A-Za-z]{1,5}))?",
                   re.ASCII)
# The zone names guides use (the DTD's own example is '200007281733 BST'), as UTC offsets in
# minutes. A fixed table, not the tz database: an abbreviation names an offset, not a place,
# and ambiguous ones (IST: India, Ireland or Israel) are left out so they are reported.
NAMED_ZONES = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "WET": 0, "BST": 60, "WEST": 60, "CET": 60, "MET": 60, "CEST": 120,
    "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
    "AST": -240, "ADT": -180, "NST": -210, "NDT": -150, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480,
    "AWST": 480, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
}
_ONSCREEN = re.compile(r"(?:S(\d+)\s*[-.]?\s*)?E(\d+)|(\d+)x(\d+)", re.IGNORECASE)
_LOCATION_SUFFIX = re.compile(r", line \d+, column \d+$")
TIME_FORMAT = "%Y%m%d%H%M%S %z"
REPEATED = "repeated a channel and start time; the later entry was kept"


class _Skip(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason, self.detail = reason, detail


@lru_cache(maxsize=65536)  # guides repeat the same start times across channels
def parse_time(text: str) -> datetime:
    """An XMLTV time ('20261128000000 +0900', '202611280000', ...) as an aware datetime.

    The source offset is kept as the datetime's tzinfo. ValueError when it is not a time.
    """
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not an XMLTV time: {text!r}")
    y, mo, d, h, mi, s, sign, oh, om, name = match.groups()
    offset = timedelta(0)
    if sign:
        offset = timedelta(hours=int(oh), minutes=int(om)) * (-1 if sign == "-" else 1)
    elif name:
        minutes = NAMED_ZONES.get(name.upper())
        if minutes is None:
            raise ValueError(f"unknown time zone {name!r} in {text!r}; use an offset such as +0100")
        offset = timedelta(minutes=minutes)
    return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), tzinfo=_zone(offset))


@lru_cache(maxsize=None)
def _zone(offset: timedelta) -> timezone:
    return timezone.utc if not offset else timezone(offset)


def format_time(moment: datetime) -> str:
    return moment.strftime(TIME_FORMAT)


@lru_cache(maxsize=4096)
def parse_episode(system: str | None, text: str) -> tuple[int | None, int | None]:
    """(season, episode), 1-based, from an <episode-num>; (None, None) when not understood.

    xmltv_ns is 0-based 'season.episode.part' with optional '/total' ("1.4." is S2E5);
    onscreen is free text such as 'S02E05', 'S2 E5', '2x05' or 'E05'.
    """
    if system == "xmltv_ns":
        parts = text.replace(" ", "").split(".")
        if len(parts) < 2:
            return None, None
        return _ns_number(parts[0]), _ns_number(parts[1])
    if system == "onscreen":
        match = _ONSCREEN.search(text)
        if match:
            season, episode, x_season, x_episode = match.groups()
            season = season or x_season
            return (int(season) if season else None), int(episode or x_episode)
    return None, None


def _ns_number(part: str) -> int | None:
    head = part.split("/")[0]
    return int(head) + 1 if head.isdigit() else None


class GuideReader:
    """Reads one XMLTV source. Iterate `programmes()` once; `channels` and `skipped` fill as it goes.

    A programme without a stop time ends when the next programme on its channel starts
    (in file order). One that no later programme ends (none follows on its channel, or the
    next one does not start after it) is skipped and reported; of two at the same channel
    and start, the later in the file is the one kept, with or without a stop.
    """

    def __init__(self, source: Source, *, name: str | None = None, preferred_lang: str = "en") -> None:
        self.source = source
        self.file = source_name(source, name)
        self.preferred_lang = preferred_lang
        self.channels: dict[str, str] = {}  # <channel id> -> first display name
        self.skipped = SkipLog()

    def programmes(self) -> Iterator[Programme]:
        waiting_for_stop: dict[str, tuple[Programme, int]] = {}
        with open_binary(self.source, self.file) as stream:
            for element in self._elements(stream):
                if element.tag == "channel":
                    self._read_channel(element)
                    continue
                line = element.sourceline
                try:
                    programme, has_stop = self._read_programme(element)
                except _Skip as skip:
                    self.skipped.add(skip.reason, where(line), skip.detail)
                    continue
                earlier = waiting_for_stop.get(programme.channel_id)
                if earlier is not None:
                    if programme.start > earlier[0].start:
                        yield replace(earlier[0], stop=programme.start)
                    elif programme.start == earlier[0].start:
                        self.skipped.add(REPEATED, where(earlier[1]), earlier[0].title)
                    elif not has_stop:  # it takes the earlier one's place in waiting for a stop
                        self.skipped.add("no stop time, and the next programme on its channel starts before it",
                                         where(earlier[1]), earlier[0].title)
                    else:
                        earlier = None  # an out-of-order programme with a stop: keep waiting
                    if earlier is not None:
                        del waiting_for_stop[programme.channel_id]
                if has_stop:
                    yield programme
                else:
                    waiting_for_stop[programme.channel_id] = (programme, line)
        for programme, line in waiting_for_stop.values():
            self.skipped.add("no stop time and no later programme on the channel", where(line), programme.title)

    def _elements(self, stream: BinaryIO) -> Iterator[etree._Element]:
        # A guide is data from outside the home: no DTD, no external entities, no network, and
        # libxml2's limits against entity expansion bombs stay on (huge_tree=False).
        events = etree.iterparse(stream, events=("end",), tag=("channel", "programme"), load_dtd=False,
                                 no_network=True, resolve_entities="internal", huge_tree=False)
        try:
            for _, element in events:
                parent = element.getparent()
                if parent is None or parent.tag != "tv":
                    raise FormatError(self.file, where(element.sourceline),
                                      f"<{element.tag}> must be directly inside <tv>")
                yield element
                # Drop what was read (and earlier siblings) so memory stays flat.
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del parent[0]
            root = events.root
        except etree.XMLSyntaxError as e:
            line, column = e.position or (e.lineno, 0)
            message = _LOCATION_SUFFIX.sub("", e.msg or "")  # lxml repeats the position in the text
            raise FormatError(self.file, where(max(line, 1), column or None), f"malformed XML: {message}") from None
        except READ_ERRORS as e:
            raise unreadable(self.file, e) from None
        if root is None or root.tag != "tv":
            found = "no elements" if root is None else f"<{root.tag}>"
            raise FormatError(self.file, where(1), f"expected an XMLTV <tv> document, found {found}")

    def _read_channel(self, element: etree._Element) -> None:
        channel_id = (element.get("id") or "").strip()
        name = element.findtext("display-name")
        if channel_id and channel_id not in self.channels:
            self.channels[channel_id] = (name or channel_id).strip()

    def _read_programme(self, element: etree._Element) -> tuple[Programme, bool]:
        channel_id = (element.get("channel") or "").strip()
        if not channel_id:
            raise _Skip("no channel attribute")
        start = _time(element.get("start"), "start")
        stop_text = element.get("stop")
        stop = _time(stop_text, "stop") if stop_text else start
        if stop_text and stop <= start:
            raise _Skip("stop is not after start", f"{element.get('start')} .. {stop_text}")
        titles: list[LangText] = []
        descriptions: list[LangText] = []
        categories: list[str] = []
        rating = rating_system = None
        season = episode = None
        for child in element:
            tag = child.tag
            if tag == "title" or tag == "desc" or tag == "category":
                text = (child.text or "").strip()
                if not text:
                    continue
                if tag == "category":
                    categories.append(text)
                else:
                    (titles if tag == "title" else descriptions).append((child.get("lang"), text))
            elif tag == "rating" and rating is None:
                rating = (child.findtext("value") or "").strip() or None
                rating_system = child.get("system") if rating else None
            elif tag == "episode-num" and season is None and episode is None:
                season, episode = parse_episode(child.get("system"), (child.text or "").strip())
        if not titles:
            raise _Skip("no title")
        all_titles, all_descriptions = tuple(titles), tuple(descriptions)
        programme = Programme(
            channel_id=channel_id, start=start, stop=stop,
            title=pick_language(all_titles, self.preferred_lang) or "", titles=all_titles,
            description=pick_language(all_descriptions, self.preferred_lang), descriptions=all_descriptions,
            categories=tuple(categories), rating=rating, rating_system=rating_system, season=season, episode=episode)
        return programme, bool(stop_text)


def _time(text: str | None, what: str) -> datetime:
    if not text:
        raise _Skip(f"no {what} time")
    try:
        return parse_time(text)
    except ValueError as e:
        raise _Skip(f"unparsable {what} time", str(e) if "zone" in str(e) else text) from None


def write_xmltv(out: BinaryIO, programmes: Iterable[Programme], channels: Mapping[str, str] | None = None,
                *, generator: str = "twinspace") -> None:
    """Write a guide that `GuideReader` reads back to the same programmes (streamed, any size)."""
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("tv", {"generator-info-name": generator}):
            for channel_id, name in (channels or {}).items():
                element = etree.Element("channel", id=channel_id)
                etree.SubElement(element, "display-name").text = name
                xf.write(element)
            for programme in programmes:
                xf.write(_programme_element(programme))


def _programme_element(p: Programme) -> etree._Element:
    element = etree.Element("programme", start=format_time(p.start), stop=format_time(p.stop), channel=p.channel_id)

    def add(tag: str, text: str, lang: str | None = None) -> etree._Element:
        child = etree.SubElement(element, tag, {"lang": lang} if lang else {})
        child.text = text
        return child

    for lang, text in p.titles or ((None, p.title),):
        add("title", text, lang)
    descriptions = p.descriptions or (((None, p.description),) if p.description else ())
    for lang, text in descriptions:
        add("desc", text, lang)
    for category in p.categories:
        add("category", category)
    if p.season is not None or p.episode is not None:
        season = "" if p.season is None else str(p.season - 1)
        episode = "" if p.episode is None else str(p.episode - 1)
        add("episode-num", f"{season}.{episode}.").set("system", "xmltv_ns")
    if p.rating is not None:
        rating = etree.SubElement(element, "rating", {"system": p.rating_system} if p.rating_system else {})
        etree.SubElement(rating, "value").text = p.rating
    return element
