"""The group's timeline: where its title is at any moment of the hub's clock.

On demand, a position is seconds into the title. Live, it is the stream's own wall-clock
time (the `EXT-X-PROGRAM-DATE-TIME` of the frame on screen, as Unix seconds): every member
reads the same playlist, so aligning on it puts them on the same frame whatever their
buffers. A timeline changes only through a `Command` that takes effect at a hub time, so
every member can apply it at the same moment.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal, Optional

Kind = Literal["play", "pause", "seek", "rate"]
MAX_RATE_CHANGE = 0.5  # a group plays between half and double speed


@dataclass(frozen=True)
class Timeline:
    """`position` at hub time `anchor`, advancing at `rate` while `playing`."""

    content: str
    live: bool
    playing: bool
    position: float
    anchor: float
    rate: float = 1.0

    def position_at(self, hub_time: float) -> float:
        if not self.playing:
            return self.position
        return self.position + (hub_time - self.anchor) * self.rate

    def at(self, hub_time: float) -> "Timeline":
        """The same timeline re-anchored at `hub_time`."""
        return dataclasses.replace(self, position=self.position_at(hub_time), anchor=hub_time)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Command:
    """A change to the timeline: play (from `position`, or where it is), pause, seek to `position`, set `rate`."""

    kind: Kind
    position: Optional[float] = None
    rate: Optional[float] = None

    def __post_init__(self) -> None:
        if self.kind == "seek" and self.position is None:
            raise ValueError("a seek needs a position")
        if self.kind == "rate" and (self.rate is None or not 1 - MAX_RATE_CHANGE <= self.rate <= 1 + MAX_RATE_CHANGE):
            raise ValueError(f"a rate must be between {1 - MAX_RATE_CHANGE} and {1 + MAX_RATE_CHANGE}")


def apply(timeline: Timeline, command: Command, hub_time: float) -> Timeline:
    """The timeline after `command` takes effect at `hub_time`; before then it is unchanged."""
    now = timeline.at(hub_time)
    if command.kind == "pause":
        return dataclasses.replace(now, playing=False)
    if command.kind == "play":
        start = command.position if command.position is not None else now.position
        return dataclasses.replace(now, playing=True, position=start)
    if command.kind == "seek":
        assert command.position is not None
        return dataclasses.replace(now, position=command.position)
    assert command.rate is not None
    return dataclasses.replace(now, rate=command.rate)
