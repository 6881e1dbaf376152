"""Numbers, durations and times of day as people say them."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Optional

_UNITS = {"zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
          "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SECONDS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60,
            "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600}


def parse_number(text: str) -> Optional[float]:
    """The first number in the words: '30', 'thirty', 'twenty five', 'a hundred', 'half a'."""
    ws = re.findall(r"[a-z]+|\d+(?:\.\d+)?", text.lower())
    total: Optional[float] = None
    i = 0
    while i < len(ws):
        w = ws[i]
        if re.fullmatch(r"\d+(?:\.\d+)?", w):
            return float(w) if total is None else total + float(w)
        if w == "half":
            return 0.5
        if w == "couple":
            return 2.0
        if w in _TENS:
            total = (total or 0) + _TENS[w]
        elif w in _UNITS and not (w in ("a", "an") and i + 1 < len(ws) and ws[i + 1] in ("hundred",)):
            if w in ("a", "an") and total is not None:
                break
            total = (total or 0) + _UNITS[w]
        elif w == "hundred":
            total = (total or 1) * 100
        elif total is not None:
            break
        i += 1
    return total


def parse_duration(text: str) -> Optional[float]:
    """Seconds in '30 seconds', 'two minutes', 'a minute and a half', '1 hour 20 minutes', '90'."""
    t = text.lower().replace("-", " ")
    total = 0.0
    found = False
    for m in re.finditer(r"((?:\d+(?:\.\d+)?|[a-z]+)(?:\s+(?:and\s+)?(?:a\s+)?[a-z]+)*?)\s*(hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b", t):
        amount = parse_number(m.group(1))
        if amount is None:
            amount = 1.0
        total += amount * _SECONDS[m.group(2)]
        found = True
    trailing = re.search(r"(hours?|hrs?|minutes?|mins?)\s+(?:and\s+)?(\d+)\s*(?:in)?\s*$", t)
    if trailing:  # "1 hour 20" means 20 minutes; "5 minutes 30", 30 seconds
        total += int(trailing.group(2)) * (60 if trailing.group(1).startswith("h") else 1)
    if "and a half" in t and found:
        unit = re.search(r"(hour|minute|second)", t)
        if unit:
            total += 0.5 * _SECONDS[unit.group(1)]
    if found:
        return total
    n = parse_number(t)
    return n  # a bare number: seconds


def parse_percent(text: str) -> Optional[int]:
    n = parse_number(text)
    if n is None:
        if any(w in text.lower() for w in ("full", "max", "maximum", "all the way")):
            return 100
        return None
    if 0 < n < 1:  # "half", "a quarter": that share of the scale, not half a per cent
        n *= 100
    return max(0, min(100, int(round(n))))


def parse_time_of_day(text: str, now: datetime) -> Optional[datetime]:
    """A moment in `now`'s timezone: 'at 9', 'at 8 pm', 'at 20:05' ('20 05'), 'tonight', 'now'."""
    t = text.lower().strip()
    if t in ("", "now", "right now", "at the moment", "currently", "on now"):
        return now
    if t in ("tonight", "this evening"):
        return now.replace(hour=21, minute=0, second=0, microsecond=0) if now.hour < 21 else now
    if t in ("later", "next"):
        return now + timedelta(hours=1)
    m = re.search(r"(\d{1,2})(?:[:\s.](\d{2}))?\s*(am|pm|a\.m|p\.m)?", t)
    if m is None:
        word = parse_number(t)
        if word is None or not 0 < word <= 12:
            return None
        hour, minute, ampm = int(word), 0, None
    else:
        hour, minute, ampm = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if hour > 23 or minute > 59:
        return None
    if ampm and ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm is None and hour < 12 and ("tonight" in t or "evening" in t or hour + 12 > now.hour >= hour):
        hour += 12  # "at 9" in the evening means 21:00
    moment = datetime.combine(now.date(), time(hour, minute), tzinfo=now.tzinfo)
    if moment < now - timedelta(hours=12):
        moment += timedelta(days=1)
    return moment
