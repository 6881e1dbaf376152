"""The hub's side of watching together: one timeline per playing target or watch group.

Every connected player (a member) plays one target of the home. Members of the same target,
or of targets in one watch group, share one `Group`: its timeline is built from the home's
playback session, and every committed change to that session (pause, resume, seek, other
content, from any front end) becomes a command scheduled a little ahead on the hub's clock
and sent to each member. Members report their playback; the group answers with corrections.

Plain asyncio over the hub: the transport (a WebSocket) hands in messages and a `send`
function per member. All state is touched on the event loop; hub listeners only hop onto it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable, Optional

from twinspace.actions.registry import Caller
from twinspace.content import playback as rules
from twinspace.cowatch.clock import ClockSample
from twinspace.cowatch.group import Group, Report
from twinspace.cowatch.schedule import Scheduled
from twinspace.cowatch.timeline import Command, Timeline
from twinspace.errors import InvalidInput, NotFound
from twinspace.home.model import Home, Playback
from twinspace.hub import HomeChange, Hub

log = logging.getLogger(__name__)
Send = Callable[[dict[str, Any]], Awaitable[None]]
LIVE_DELAY_S = 8.0  # live members play this far behind the hub's clock: inside a 6 × 2 s window, past hls.js's 3 segments
SWEEP_S = 0.5
SEEK_JUMP_S = 0.5  # a session whose position moved further than this was seeked


@dataclass
class Member:
    id: str
    home_id: str
    target: str
    caller: Caller
    send: Send
    key: str = ""


def group_key(home: Home, target: str) -> str:
    """Members of one watch group share a timeline; otherwise members of one target do."""
    session = home.playback.get(target)
    if session is not None and session.group is not None \
            and len(rules.group_targets(home, session.group)) > 1:
        return f"group:{session.group}"
    return f"target:{target}"


class CowatchService:
    def __init__(self, hub: Hub, *, clock: Callable[[], float] = time.time, correction: bool = True) -> None:
        self.hub = hub
        self.clock = clock  # wall-clock seconds: live streams stamp their frames with it
        self.correction = correction  # off: the baseline, members only start where the hub says
        self.groups: dict[tuple[str, str], Group] = {}
        self._sessions: dict[tuple[str, str], Playback] = {}  # the session each timeline was last built from
        self._members: dict[str, Member] = {}
        self._ids = itertools.count(1)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._unsubscribe: Optional[Callable[[], None]] = None
        self._sweeper: Optional[asyncio.Task[None]] = None
        self._changing: Optional[asyncio.Lock] = None  # changes are followed one at a time, in commit order

    # --- lifetime ----------------------------------------------------------------------

    def _start(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._unsubscribe = self.hub.subscribe(self._on_change)
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="twinspace-cowatch-sweep")

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        self._loop = None

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self.stop()

    # --- members -----------------------------------------------------------------------

    async def join(self, caller: Caller, target: str, send: Send) -> Member:
        """A player of `target` joins its timeline; it is sent the timeline and who else is there."""
        self._start()
        home = await asyncio.to_thread(self.hub.home, caller.home_id)
        if target not in home.playback:
            raise NotFound(f"nothing plays on {target!r} to watch in step; play something there first")
        member = Member(f"{caller.device or 'device'}#{next(self._ids)}", caller.home_id, target, caller, send)
        self._members[member.id] = member
        await member.send({"type": "welcome", "member": member.id, "correction": self.correction,
                           "hub_time": self.clock()})
        await self._enter(member, home)
        return member

    async def leave(self, member: Member) -> None:
        if self._members.pop(member.id, None) is None:
            return
        group = self.groups.get((member.home_id, member.key))
        if group is not None:
            group.leave(member.id)
            if not len(group):
                del self.groups[(member.home_id, member.key)]
                self._sessions.pop((member.home_id, member.key), None)
            else:
                await self._announce(member.home_id, member.key)

    async def _enter(self, member: Member, home: Home) -> None:
        """Put a member in the group its target belongs to now, and align it there."""
        key = group_key(home, member.target)
        member.key = key
        group = self.groups.get((member.home_id, key))
        if group is None:
            session = home.playback[member.target]
            group = Group(key, self._timeline(session, self.clock()), correction=self.correction)
            self.groups[(member.home_id, key)] = group
            self._sessions[(member.home_id, key)] = session
        group.join(member.id, member.target, self.clock(), person=member.caller.person, device=member.caller.device)
        await member.send(self._timeline_message(group.timeline, group.timeline.anchor))
        if group.pending is not None:
            await member.send(self._timeline_message(group.pending.timeline, group.pending.at))
        await self._announce(member.home_id, key)

    async def receive(self, member: Member, message: dict[str, Any], received: float) -> None:
        """One message from a member; `received` is the hub time it arrived (t1 of a ping)."""
        kind = message.get("type")
        group = self.groups.get((member.home_id, member.key))
        if kind == "ping":
            t0 = _number(message, "t0")
            await member.send({"type": "pong", "t0": t0, "t1": received, "t2": self.clock()})
        elif kind == "clock":  # the member's completed exchange: its round trip counts for the lead time
            if group is not None:
                group.clock_sample(member.id, ClockSample(*(_number(message, k) for k in ("t0", "t1", "t2", "t3"))))
        elif kind == "report":
            if group is None:
                return
            before = group.state_of(member.id)
            report = Report(member.id, _number(message, "position"), _number(message, "at"),
                            bool(message.get("advancing")), bool(message.get("aligning")))
            correction = group.report(report, self.clock())
            if correction is not None:
                await member.send({"type": "correct", "rate": round(correction.rate, 5), "seek": correction.seek,
                                   "error": round(correction.error, 4)})
            if group.state_of(member.id) != before:
                await self._announce(member.home_id, member.key)
        elif kind in ("play", "pause", "seek", "leave"):
            await self._act(member, kind, message)
        else:
            raise InvalidInput(f"unknown message type {kind!r}; send ping, clock, report, play, pause, seek or leave")

    async def _act(self, member: Member, kind: str, message: dict[str, Any]) -> None:
        """A member's play/pause/seek/leave goes through the hub like any action (the home stays the truth)."""
        if kind == "seek":
            name, args = "playback.seek", {"target": member.target, "position_s": _number(message, "position")}
        elif kind == "leave":
            name, args = "cowatch.leave", {"target": member.target}
        else:
            name, args = ("playback.resume" if kind == "play" else "playback.pause"), {"target": member.target}
        outcome = await asyncio.to_thread(self.hub.apply, member.home_id, name, args, caller=member.caller)
        await member.send({"type": "done", "action": name, "message": getattr(outcome, "message", "")})

    # --- the home changed ----------------------------------------------------------------

    def _on_change(self, change: HomeChange) -> None:
        """Runs on the committing thread: hand the change to the loop."""
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed while the hub was committing
                loop.call_soon_threadsafe(self._follow_later, change)

    def _follow_later(self, change: HomeChange) -> None:
        task = asyncio.ensure_future(self._changed(change.home_id, change.home))
        task.add_done_callback(_log_failure)

    async def _changed(self, home_id: str, home: Home) -> None:
        if self._changing is None:
            self._changing = asyncio.Lock()
        async with self._changing:  # asyncio.Lock is FIFO: commits are followed in order
            await self._follow_home(home_id, home)

    async def _follow_home(self, home_id: str, home: Home) -> None:
        now = self.clock()
        for member in [m for m in self._members.values() if m.home_id == home_id]:
            if member.target not in home.playback:
                await member.send({"type": "ended", "reason": f"nothing plays on {member.target} any more"})
                continue
            if group_key(home, member.target) != member.key:  # joined or left a watch group
                old = member.key
                await self.leave(member)
                self._members[member.id] = member
                await self._enter(member, home)
                if (home_id, old) in self.groups:
                    await self._announce(home_id, old)
        for (h, key), group in list(self.groups.items()):
            if h != home_id:
                continue
            target = next((m.target for m in group.members()), None)
            session = home.playback.get(target) if target else None
            if session is None:
                continue
            scheduled = self._follow(group, self._sessions[(h, key)], session, now)
            self._sessions[(h, key)] = session
            if scheduled is not None:
                await self._broadcast(h, key, self._timeline_message(scheduled.timeline, scheduled.at))

    def _follow(self, group: Group, old: Playback, new: Playback, now: float) -> Optional[Scheduled]:
        """The command that takes the group's timeline from session `old` to session `new`."""
        if new.content != old.content:
            return group.replace(self._timeline(new, now), now)
        if new.playing != old.playing:
            if not new.playing:
                return group.command(Command("pause"), now)
            return group.command(Command("play", now - LIVE_DELAY_S if group.timeline.live else None), now)
        if not rules.is_live(new.content) and new != old:
            expected = rules.position_at(old, new.updated_at) if new.updated_at is not None else old.position_s
            if abs(new.position_s - expected) > SEEK_JUMP_S:
                return group.command(Command("seek", new.position_s), now)
        return None

    def _timeline(self, session: Playback, now: float) -> Timeline:
        if rules.is_live(session.content):
            return Timeline(session.content, True, session.playing, now - LIVE_DELAY_S, now)
        position = rules.position_at(session, self.hub.clock()) or 0.0
        return Timeline(session.content, False, session.playing, position, now)

    # --- sending -----------------------------------------------------------------------

    @staticmethod
    def _timeline_message(timeline: Timeline, at: float) -> dict[str, Any]:
        return {"type": "timeline", "at": at, "timeline": timeline.to_json()}

    async def _broadcast(self, home_id: str, key: str, message: dict[str, Any]) -> None:
        for m in [m for m in self._members.values() if m.home_id == home_id and m.key == key]:
            await m.send(message)

    async def _announce(self, home_id: str, key: str) -> None:
        group = self.groups.get((home_id, key))
        if group is not None:
            await self._broadcast(home_id, key, {"type": "members", "group": key,
                                                 "members": [v.to_json() for v in group.members()]})

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_S)
            try:
                now = self.clock()
                for (home_id, key), group in list(self.groups.items()):
                    if group.sweep(now):
                        await self._announce(home_id, key)
            except Exception:  # a sweep must never end the loop
                log.exception("cowatch sweep failed")


def _log_failure(task: "asyncio.Future[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("following a home change failed", exc_info=task.exception())


def _number(message: dict[str, Any], key: str) -> float:
    value = message.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise InvalidInput(f"{key} must be a number (seconds)")
    return float(value)
