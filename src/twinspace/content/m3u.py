"""Extended M3U channel lineups (IPTV style), read and written.

IPTV lineups are not HLS playlists: `#EXTINF:-1 tvg-id="x" group-title="News, Local",Name`
carries quoted attributes that HLS parsers (the `m3u8` library included) reject, so this is
a small parser of its own. It is strict about structure and says where a file is wrong:

    #EXTM3U [attr="value" ...]
    #EXTINF:<duration> [attr="value" ...],<display name>
    [#EXTGRP:<group> | other #directives | blank lines]
    <url>

One bad entry (an #EXTINF it cannot read, or one without a URL line) is skipped and
reported with its line, and the rest of the lineup is read; a file whose every entry is
bad is refused with the first entry's error. An HLS media or master playlist (`#EXT-X-`
tags) is not a lineup and is refused as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import m3u8

from twinspace.content.models import Channel, slug
from twinspace.content.report import SkipLog
from twinspace.content.sources import Source, read_bytes, source_name, where
from twinspace.errors import FormatError

_DURATION = re.compile(r"\s*(-?\d+(?:\.\d+)?)")
_ATTR_NAME = re.compile(r"([A-Za-z][\w-]*)=")
_UNQUOTED = re.compile(r'[^\s,"]*')
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
EXTINF = "#EXTINF:"
HLS_TAG = "#EXT-X-"
NO_URL = "#EXTINF has no URL line after it"


@dataclass
class Lineup:
    channels: list[Channel]
    attributes: dict[str, str] = field(default_factory=dict)  # from the #EXTM3U line, e.g. x-tvg-url
    skipped: SkipLog = field(default_factory=SkipLog)


def parse_m3u(source: Source, *, name: str | None = None) -> Lineup:
    """Read a lineup from a path, bytes or binary stream (gzip is recognised)."""
    file = source_name(source, name)
    data = read_bytes(source, file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FormatError(file, where(line), "is not UTF-8 text; save the lineup as UTF-8") from None
    return parse_m3u_text(text, file=file)


def parse_m3u_text(text: str, *, file: str = "<lineup>") -> Lineup:
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))  # not splitlines(): names may hold U+2028 etc.
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].lstrip().startswith("#EXTM3U"):
        raise FormatError(file, where(1 if first is None else first + 1),
                          "missing the #EXTM3U header; an extended M3U lineup starts with #EXTM3U")
    header = lines[first].lstrip()
    attributes, _ = _scan_attributes(header, len("#EXTM3U"), file, first + 1, until_comma=False)
    lineup = Lineup([], attributes)
    ids: set[str] = set()
    pending: tuple[int, dict[str, str], str] | None = None  # (line number, attributes, name) of an #EXTINF
    in_bad_entry = False  # the URL line of an #EXTINF that could not be read belongs to it
    first_bad: FormatError | None = None
    group_directive: str | None = None

    def bad(error: FormatError) -> None:
        nonlocal first_bad
        first_bad = first_bad or error
        lineup.skipped.add(error.message, error.where)

    for number, raw in enumerate(lines[first + 1:], start=first + 2):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(HLS_TAG):
            raise _hls_error(text, file, number, line)
        if line.startswith(EXTINF):
            if pending is not None:
                bad(FormatError(file, where(pending[0]), NO_URL))
            indent = len(raw) - len(raw.lstrip())
            try:
                pending, in_bad_entry = _parse_extinf(raw.strip(), file, number, indent), False
            except FormatError as e:
                bad(e)
                pending, in_bad_entry = None, True
            group_directive = None
        elif line.startswith("#EXTGRP:"):
            group_directive = line[len("#EXTGRP:"):].strip() or None
        elif line.startswith("#"):
            continue  # other directives (#EXTVLCOPT, #KODIPROP, comments) do not change the lineup
        elif pending is None:
            if not in_bad_entry:
                lineup.skipped.add("URL without #EXTINF", where(number), line[:80])
            in_bad_entry = False
        else:
            channel = _channel(pending, group_directive, line, ids)
            if channel is None:
                lineup.skipped.add("duplicate tvg-id", where(pending[0]), pending[1]["tvg-id"])
            else:
                ids.add(channel.id)
                lineup.channels.append(channel)
            pending = None
    if pending is not None:
        bad(FormatError(file, where(pending[0]), NO_URL + " (the file ends)"))
    if first_bad is not None and not lineup.channels:
        raise first_bad  # nothing good to import: the file is wrong, not one entry
    return lineup


def _hls_error(text: str, file: str, number: int, line: str) -> FormatError:
    """Refuse an HLS playlist, saying which kind it is (the m3u8 library reads HLS)."""
    tag = line.split(":", 1)[0]
    try:
        playlist = m3u8.loads(text)
        kind = (f"an HLS master playlist ({len(playlist.playlists)} variant streams)" if playlist.is_variant
                else f"an HLS media playlist ({len(playlist.segments)} segments)")
    except Exception:  # noqa: BLE001 - m3u8 raises assorted errors on odd HLS; it is HLS either way
        kind = "an HLS playlist"
    return FormatError(file, where(number), f"this is {kind} ({tag}), not a channel lineup; import an IPTV "
                                            "M3U lineup (#EXTINF entries with tvg-id) instead, or play the "
                                            "stream by its URL")


def _channel(pending: tuple[int, dict[str, str], str], group: str | None, url: str,
             taken: set[str]) -> Channel | None:
    _, attrs, display = pending
    explicit = attrs.get("tvg-id", "").strip()
    if explicit:
        if explicit in taken:
            return None  # the same guide channel listed twice (another stream); the first wins
        channel_id = explicit
    else:
        # No tvg-id: derive one from the name; a repeated name gets -2, -3 ... in file order.
        base = channel_id = slug(display)
        n = 2
        while channel_id in taken:
            channel_id, n = f"{base}-{n}", n + 1
    return Channel(id=channel_id, name=display, url=url, number=attrs.get("tvg-chno") or None,
                   group=attrs.get("group-title") or group, logo=attrs.get("tvg-logo") or None,
                   tvg_name=attrs.get("tvg-name") or None)


def _parse_extinf(line: str, file: str, number: int, indent: int) -> tuple[int, dict[str, str], str]:
    pos = len(EXTINF)
    duration = _DURATION.match(line, pos)
    if duration is None:
        raise FormatError(file, where(number, indent + pos + 1),
                          "expected a duration such as -1 after #EXTINF:")
    attrs, pos = _scan_attributes(line, duration.end(), file, number, until_comma=True, indent=indent)
    display = line[pos + 1:].strip() or attrs.get("tvg-name", "").strip()
    if not display:
        raise FormatError(file, where(number, indent + pos + 2), "the channel has no name after the comma")
    return number, attrs, display


def _scan_attributes(line: str, pos: int, file: str, number: int, *, until_comma: bool,
                     indent: int = 0) -> tuple[dict[str, str], int]:
    """Read `name="value"` pairs from pos; return them and the position of the ending comma (or end)."""
    attrs: dict[str, str] = {}
    while True:
        while pos < len(line) and line[pos].isspace():
            pos += 1
        if pos >= len(line):
            if until_comma:
                raise FormatError(file, where(number, indent + pos + 1),
                                  "expected ',' and the channel name after the attributes")
            return attrs, pos
        if until_comma and line[pos] == ",":
            return attrs, pos
        name = _ATTR_NAME.match(line, pos)
        if name is None:
            expected = "an attribute like tvg-id=\"...\"" + (" or ',' before the name" if until_comma else "")
            raise FormatError(file, where(number, indent + pos + 1), f"expected {expected}, found {line[pos]!r}")
        pos = name.end()
        if line.startswith('"', pos):
            end = line.find('"', pos + 1)
            if end < 0:
                raise FormatError(file, where(number, indent + pos + 1),
                                  f"the value of {name.group(1)} opens a quote that is never closed")
            value, pos = line[pos + 1:end], end + 1
        else:
            unquoted = _UNQUOTED.match(line, pos)
            assert unquoted is not None  # the pattern also matches the empty string
            value, pos = unquoted.group(0), unquoted.end()
        attrs[name.group(1).casefold()] = value


def format_m3u(channels: list[Channel], attributes: dict[str, str] | None = None) -> str:
    """The lineup as extended M3U text (what `parse_m3u_text` reads back)."""
    head = "".join(f' {k}="{v}"' for k, v in (attributes or {}).items())
    out = [f"#EXTM3U{head}"]
    for ch in channels:
        attrs = {"tvg-id": ch.id, "tvg-name": ch.tvg_name, "tvg-chno": ch.number, "tvg-logo": ch.logo,
                 "group-title": ch.group}
        text = "".join(f' {k}="{v}"' for k, v in attrs.items() if v)
        out += [f"#EXTINF:-1{text},{ch.name}", ch.url]
    return "\n".join(out) + "\n"
