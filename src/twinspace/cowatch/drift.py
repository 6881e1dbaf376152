"""Drift correction for one member: nudge its playback rate, seek only when far off.

Error is the member's position minus the timeline's at the same hub time (positive: ahead).
Within `deadband` the member plays at the timeline's rate. Beyond it the rate is
proportional to the error, `rate · (1 - error / time_constant)`, never more than ±5 % off
(people do not hear it: pitch is preserved and 5 % is below what viewers notice in
motion), which closes an error of 50 ms in about a second. Past `seek_threshold` a rate
nudge would take too long (a 1 s error takes 20 s at 5 %), so the member seeks instead.
"""

from __future__ import annotations

from dataclasses import dataclass
MAX_RATE_DELTA = 0.05
VOD_SEEK_S = 0.25
LIVE_SEEK_S = 0.3  # a live seek may need a segment fetched: worth it a little further out


@dataclass(frozen=True)
class Correction:
    """What a member should do now: play at `rate`; when `seek` is true, jump back onto the timeline."""

    error: float
    rate: float
    seek: bool = False


@dataclass(frozen=True)
class DriftController:
    # 1 s, not faster: a lag of tens of ms (a decoder or CPU hiccup) is closed at the 5 % cap
    # whatever the gain, and a higher gain overshoots once a loaded machine delays the
    # correction by half a second or more (tests/cowatch/test_drift.py).
    time_constant_s: float = 1.0
    deadband_s: float = 0.004  # was 8 ms: two members could sit 16 ms apart and never be corrected
    seek_threshold_s: float = VOD_SEEK_S
    max_rate_delta: float = MAX_RATE_DELTA

    @classmethod
    def for_content(cls, live: bool) -> "DriftController":
        return cls(seek_threshold_s=LIVE_SEEK_S if live else VOD_SEEK_S)

    def correct(self, error: float, rate: float = 1.0) -> Correction:
        if abs(error) > self.seek_threshold_s:
            return Correction(error, rate, seek=True)
        if abs(error) <= self.deadband_s:
            return Correction(error, rate)
        nudge = max(-self.max_rate_delta, min(self.max_rate_delta, -error / self.time_constant_s))
        return Correction(error, rate * (1 + nudge))
