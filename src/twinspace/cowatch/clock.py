"""A member's clock offset to the hub, estimated NTP-style.

The member sends its time t0; the hub stamps receipt t1 and reply t2; the member records t3
on arrival. Assuming the two legs take equally long, the hub's clock reads
`local + offset` with offset = ((t1 - t0) + (t2 - t3)) / 2, uncertain by at most half the
round trip. An asymmetric leg (a busy Wi-Fi uplink) biases the estimate by half the
asymmetry, so the sample with the smallest round trip of the last N is kept: it has the
least room for asymmetry (the NTP clock filter's rule).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Optional

WINDOW = 8  # samples kept; at one exchange a second this follows a drifting clock within seconds


@dataclass(frozen=True)
class ClockSample:
    """One exchange, all times in seconds: t0/t3 on the member's clock, t1/t2 on the hub's."""

    t0: float
    t1: float
    t2: float
    t3: float

    @property
    def round_trip(self) -> float:
        """Time on the wire, both ways (the hub's own processing time taken out)."""
        return max(0.0, (self.t3 - self.t0) - (self.t2 - self.t1))

    @property
    def offset(self) -> float:
        """hub clock - member clock."""
        return ((self.t1 - self.t0) + (self.t2 - self.t3)) / 2


class OffsetEstimator:
    """The member's offset from the best of its last `window` exchanges."""

    def __init__(self, window: int = WINDOW) -> None:
        if window < 1:
            raise ValueError("the window needs at least one sample")
        self._samples: deque[ClockSample] = deque(maxlen=window)

    def add(self, sample: ClockSample) -> None:
        if sample.t3 < sample.t0 or sample.t2 < sample.t1:
            raise ValueError(f"a clock sample runs backwards: {sample}")
        self._samples.append(sample)

    @property
    def best(self) -> Optional[ClockSample]:
        return min(self._samples, key=lambda s: s.round_trip, default=None)

    @property
    def offset(self) -> Optional[float]:
        best = self.best
        return best.offset if best is not None else None

    @property
    def round_trip(self) -> Optional[float]:
        best = self.best
        return best.round_trip if best is not None else None

    def hub_time(self, local: float) -> float:
        """A member's local time on the hub's clock (the member's own clock until a sample arrives)."""
        return local + (self.offset or 0.0)
