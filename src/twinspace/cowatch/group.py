"""A watch group's members and their timing: who is in step, who stalled, what each should do.

The timeline runs on the hub's clock, so nobody ever waits for a member: a member that
stalls (buffering, a frozen tab, a lost network) simply falls behind. After `stall_after_s`
out of step it is dropped from the group's timing — its round trip no longer sets the lead
time of commands and it no longer counts as in step — and once it plays again it is told to
seek back onto the timeline (not while frozen: that landing would be stale by the time it
thaws); it rejoins the timing once a report shows it playing within `in_step_s`. A member
that stops reporting for `silent_after_s` is dropped the same way. A member that joins
mid-play starts out of step and is aligned like one that stalled.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal, Optional

from twinspace.cowatch.clock import ClockSample, OffsetEstimator
from twinspace.cowatch.drift import Correction, DriftController
from twinspace.cowatch.schedule import Scheduled, lead_time, schedule
from twinspace.cowatch.timeline import Command, Timeline

State = Literal["joining", "in_step", "stalled"]
STALL_AFTER_S = 2.0
SILENT_AFTER_S = 4.0
IN_STEP_S = 0.05
SEEK_GRACE_S = 0.75  # told to seek, a member gets this long (a report or two) to say it is aligning


@dataclass(frozen=True)
class Report:
    """A member's player, read at hub time `at` (the member converts with its clock offset)."""

    member: str
    position: float
    at: float
    advancing: bool  # playing and not buffering
    aligning: bool = False  # carrying out a seek it was told to make


@dataclass(frozen=True)
class MemberView:
    id: str
    target: str
    person: Optional[str]
    device: Optional[str]
    state: State
    error_s: Optional[float]
    round_trip_s: Optional[float]

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class _Member:
    id: str
    target: str
    person: Optional[str]
    device: Optional[str]
    joined: float
    clock: OffsetEstimator = dataclasses.field(default_factory=OffsetEstimator)
    state: State = "joining"
    error: Optional[float] = None
    last_report: Optional[float] = None
    out_since: Optional[float] = None  # when it last left step (None: in step)
    seek_told: float = float("-inf")


class Group:
    def __init__(self, key: str, timeline: Timeline, *, correction: bool = True,
                 stall_after_s: float = STALL_AFTER_S, silent_after_s: float = SILENT_AFTER_S,
                 in_step_s: float = IN_STEP_S) -> None:
        self.key = key
        self.timeline = timeline
        self.pending: Optional[Scheduled] = None  # a command not yet in effect
        self.correction = correction
        self.controller = DriftController.for_content(timeline.live)
        self.stall_after_s = stall_after_s
        self.silent_after_s = silent_after_s
        self.in_step_s = in_step_s
        self._members: dict[str, _Member] = {}

    # --- membership --------------------------------------------------------------------

    def join(self, member: str, target: str, now: float, *, person: Optional[str] = None,
             device: Optional[str] = None) -> None:
        if member in self._members:
            raise ValueError(f"{member} is already in the group")
        self._members[member] = _Member(member, target, person, device, joined=now, out_since=now)

    def leave(self, member: str) -> None:
        self._members.pop(member, None)

    def __len__(self) -> int:
        return len(self._members)

    def members(self) -> list[MemberView]:
        return [MemberView(m.id, m.target, m.person, m.device, m.state, m.error, m.clock.round_trip)
                for m in self._members.values()]

    def state_of(self, member: str) -> Optional[State]:
        m = self._members.get(member)
        return m.state if m is not None else None

    def clock_sample(self, member: str, sample: ClockSample) -> None:
        self._members[member].clock.add(sample)

    # --- the timeline ------------------------------------------------------------------

    def timeline_at(self, hub_time: float) -> Timeline:
        """The timeline in force at `hub_time` (a scheduled command counts once it is due)."""
        if self.pending is not None and hub_time >= self.pending.at:
            return self.pending.timeline
        return self.timeline

    def command(self, command: Command, now: float) -> Scheduled:
        """Schedule `command` for every member, `lead_time` ahead of now."""
        self._settle(now)
        base = self.pending.timeline if self.pending is not None else self.timeline
        trips = [m.clock.round_trip for m in self._members.values()
                 if m.state == "in_step" and m.clock.round_trip is not None]
        self.pending = schedule(base, command, now, lead_time(trips))
        return self.pending

    def replace(self, timeline: Timeline, now: float) -> Scheduled:
        """Start another title (or the same one afresh) at `now + lead`: everyone realigns."""
        self._settle(now)
        trips = [m.clock.round_trip for m in self._members.values() if m.clock.round_trip is not None]
        lead = lead_time(trips)
        self.pending = Scheduled(Command("seek", timeline.position), now + lead,
                                 dataclasses.replace(timeline, anchor=now + lead))
        for m in self._members.values():
            m.state, m.out_since, m.seek_told = "joining", now, float("-inf")
        return self.pending

    def _settle(self, now: float) -> None:
        if self.pending is not None and now >= self.pending.at:
            self.timeline, self.pending = self.pending.timeline, None

    # --- reports and corrections ---------------------------------------------------------

    def report(self, report: Report, now: float) -> Optional[Correction]:
        """Take a member's report; the correction it should apply (None: carry on as you are)."""
        self._settle(now)
        m = self._members.get(report.member)
        if m is None:
            raise KeyError(f"{report.member} is not in the group")
        m.last_report = now
        timeline = self.timeline_at(report.at)
        error = report.position - timeline.position_at(report.at)
        m.error = error
        in_step = (report.advancing or not timeline.playing) and abs(error) <= self.controller.seek_threshold_s
        if m.state == "in_step":
            if in_step:
                m.out_since = None
            else:
                m.out_since = m.out_since if m.out_since is not None else now
                if now - m.out_since >= self.stall_after_s:
                    m.state = "stalled"
        elif in_step and abs(error) <= self.in_step_s and not report.aligning:
            m.state, m.out_since = "in_step", None
        if not self.correction or report.aligning:
            return None
        frozen = not report.advancing and timeline.playing
        if frozen and m.state != "joining":
            # Buffering or frozen after playing along: a seek now lands it on a moment that is
            # gone by the time it plays again (it would resume up to a landing's length behind,
            # under the seek threshold, and close that at 5 %/s), and a rate means nothing. It
            # is told once it plays again. A member that never got going is still told: that
            # seek is what starts it.
            return None
        rate = timeline.rate if timeline.playing else 1.0
        correction = self.controller.correct(error, rate)
        if correction.seek:
            if now - m.seek_told >= SEEK_GRACE_S:
                m.seek_told = now
                return correction
            correction = Correction(error, rate)  # still landing from the last seek
        if frozen:
            return None  # buffering: a rate means nothing until it plays again
        return correction

    def sweep(self, now: float) -> list[str]:
        """Drop members out of step too long, or silent, from the timing; the ones whose state changed."""
        self._settle(now)
        changed = []
        for m in self._members.values():
            heard = m.last_report if m.last_report is not None else m.joined
            out_too_long = m.state == "in_step" and m.out_since is not None and now - m.out_since >= self.stall_after_s
            if m.state != "stalled" and (out_too_long or now - heard >= self.silent_after_s):
                m.state = "stalled"
                changed.append(m.id)
        return changed
