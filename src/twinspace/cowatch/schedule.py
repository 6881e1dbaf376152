"""When a command takes effect: far enough ahead that every member hears of it in time.

A command sent now reaches a member half a round trip later; its effect is scheduled at
`now + lead`, the lead being the slowest in-step member's round trip (one way would do on
a symmetric network; the whole trip covers an asymmetric one) plus a margin for the
member's own timer, bounded so one member on a bad link cannot make everyone wait long.
A member whose round trip exceeds the bound applies the command late and is then
corrected like any other drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from twinspace.cowatch.timeline import Command, Timeline, apply

MIN_LEAD_S = 0.1
MAX_LEAD_S = 1.0
MARGIN_S = 0.05


@dataclass(frozen=True)
class Scheduled:
    """A command, the hub time it takes effect, and the timeline from then on."""

    command: Command
    at: float
    timeline: Timeline


def lead_time(round_trips: Iterable[float], *, margin_s: float = MARGIN_S, low: float = MIN_LEAD_S,
              high: float = MAX_LEAD_S) -> float:
    slowest = max(round_trips, default=0.0)
    return min(high, max(low, slowest + margin_s))


def schedule(timeline: Timeline, command: Command, now: float, lead_s: float) -> Scheduled:
    at = now + lead_s
    return Scheduled(command, at, apply(timeline, command, at))
