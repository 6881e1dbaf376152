"""Playback rules: where a session is at any moment, how it changes, and where it plays.

A session (`home.model.Playback`) stores its position at `updated_at`; while it plays the
position advances in real time, so the live position is computed from the clock, never
ticked (clients do the same: docs/sync.md). On-demand titles stop at their duration. Live
content (a channel, or a programme on one) has no position: it follows the guide.

Sessions live in `home.playback`, keyed by their target: a panel, a TV or speaker in a
room, or a person's headset or glasses. A TV or speaker shows what plays on it in its
device state too, so bridges see it.

Resume points remember where a person left an on-demand title; continue watching lists
the titles they are part-way through. Plain Python: no database, no web framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Mapping, Optional

from twinspace.errors import InvalidInput, NotFound
from twinspace.home.model import DeviceState, Home, Playback

DEFAULT_VOLUME = 50
MIN_PROGRESS_S = 60.0  # less than a minute in is "not started": play from the beginning
FINISHED_FRACTION = 0.95  # past 95 % the credits are rolling: the title counts as watched
LIVE_KINDS = ("channel", "programme")
ROOM_PLAYERS = ("tv", "speaker")  # room devices that can play content
SEEK_NEEDS_ONE = "give either position_s (seconds from the start) or delta_s (seconds to skip)"
VOLUME_NOT_BOTH = "give either level (0-100) or delta (e.g. 10), not both"


def is_live(ref: str) -> bool:
    """Whether content follows the guide (a channel or a programme) rather than a timeline."""
    return ref.partition(":")[0] in LIVE_KINDS


def _elapsed(since: Optional[datetime], at: datetime) -> float:
    if since is None:  # a session written without a time (e.g. seeded state) has not advanced
        return 0.0
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    return max(0.0, (at - since).total_seconds())


def _clamp(position: float, duration_s: Optional[float]) -> float:
    position = max(0.0, position)
    return min(position, float(duration_s)) if duration_s else position


# --- one session over time --------------------------------------------------------------

def position_at(session: Playback, at: datetime, duration_s: Optional[float] = None) -> Optional[float]:
    """Seconds into the title at `at`; None for live content. Stops at the duration when known."""
    if is_live(session.content):
        return None
    advanced = _elapsed(session.updated_at, at) if session.playing else 0.0
    return _clamp(session.position_s + advanced, duration_s)


def has_finished(session: Playback, at: datetime, duration_s: Optional[float]) -> bool:
    if not duration_s:
        return False
    position = position_at(session, at, duration_s)
    return position is not None and position >= duration_s


def _settled(session: Playback, at: datetime, duration_s: Optional[float], **changes: object) -> Playback:
    """The session re-anchored at `at` (position as of now), with `changes` applied."""
    position = position_at(session, at, duration_s)
    return session.model_copy(update={"position_s": position or 0.0, "updated_at": at, **changes})


def start(content: str, at: datetime, *, person: Optional[str], position_s: float = 0.0,
          volume: int = DEFAULT_VOLUME, muted: bool = False) -> Playback:
    return Playback(content=content, playing=True, position_s=0.0 if is_live(content) else max(0.0, position_s),
                    updated_at=at, volume=volume, muted=muted, person=person)


def pause(session: Playback, at: datetime, duration_s: Optional[float] = None) -> Playback:
    return _settled(session, at, duration_s, playing=False)


def resume(session: Playback, at: datetime, duration_s: Optional[float] = None) -> Playback:
    """Play on from where it is; a title that had reached its end starts again."""
    if has_finished(session, at, duration_s):
        return session.model_copy(update={"position_s": 0.0, "updated_at": at, "playing": True})
    return _settled(session, at, duration_s, playing=True)


def seek(session: Playback, at: datetime, duration_s: Optional[float] = None, *,
         position_s: Optional[float] = None, delta_s: Optional[float] = None) -> Playback:
    """Jump to `position_s`, or by `delta_s` from where it is now; kept inside the title."""
    if is_live(session.content):
        raise InvalidInput("live TV follows the guide and cannot be seeked; "
                           "seek works on on-demand titles")
    if (position_s is None) == (delta_s is None):
        raise InvalidInput(SEEK_NEEDS_ONE)
    now = position_at(session, at, duration_s) or 0.0
    target = position_s if position_s is not None else now + (delta_s or 0.0)
    return session.model_copy(update={"position_s": _clamp(target, duration_s), "updated_at": at})


def set_volume(session: Playback, at: datetime, duration_s: Optional[float] = None, *, level: Optional[int] = None,
               delta: Optional[int] = None, mute: Optional[bool] = None) -> Playback:
    """Set or change the volume (0-100) and/or mute. Changing the level unmutes unless `mute` says
    otherwise: someone turning it up wants to hear it. The session is re-anchored at `at` (the
    same position over time) so `updated_at` says when it was last used."""
    if level is not None and delta is not None:
        raise InvalidInput(VOLUME_NOT_BOTH)
    volume = session.volume
    if level is not None:
        volume = level
    elif delta is not None:
        volume += delta
    volume = max(0, min(100, volume))
    muted = mute if mute is not None else (False if level is not None or delta is not None else session.muted)
    return _settled(session, at, duration_s, volume=volume, muted=muted)


def moved(session: Playback, at: datetime, duration_s: Optional[float] = None) -> Playback:
    """The session as it continues on another target: same content, same position (on demand),
    playing. Live content keeps its channel and simply follows the guide there."""
    if has_finished(session, at, duration_s):
        raise InvalidInput("that title has finished; play it again instead of moving it")
    return _settled(session, at, duration_s, playing=True)


# --- where sessions play ------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """Something content can play on."""

    id: str
    kind: str  # "panel", "tv", "speaker", or an XR device kind ("headset", "glasses", ...)
    name: str  # how a person calls it

    @property
    def in_room(self) -> bool:
        return self.kind in ROOM_PLAYERS


def find_target(home: Home, target_id: str) -> Target:
    """A panel, TV, speaker or XR device by id; NotFound lists what can play."""
    panel = home.panel(target_id)
    if panel is not None:
        return Target(panel.id, "panel", f"panel {panel.id}")
    found = home.device(target_id)
    if found is not None:
        device = found[1]
        if device.kind not in ROOM_PLAYERS:
            raise InvalidInput(f"{device.name} is a {device.kind}; content plays on panels, TVs, speakers, "
                               f"headsets and glasses")
        return Target(device.id, device.kind, device.name)
    xr = home.xr_device(target_id)
    if xr is not None:
        owner = home.person(xr.owner) if xr.owner else None
        return Target(xr.id, xr.kind, f"{owner.name}'s {xr.kind}" if owner else (xr.model or xr.id))
    raise NotFound(f"there is nothing called {target_id!r} to play on; targets: {', '.join(target_ids(home)) or 'none'}")


def target_ids(home: Home) -> list[str]:
    return ([p.id for p in home.panels] + [d.id for _, d in home.devices() if d.kind in ROOM_PLAYERS]
            + [x.id for x in home.xr_devices])


def sessions(home: Home) -> dict[str, Playback]:
    """Every session by target. A TV whose state says it shows something counts even without
    a session entry (state set by a bridge or a seeded home): it plays from the guide or the start."""
    found = dict(home.playback)
    for _, device in home.devices():
        state = device.state
        if device.id not in found and state is not None and state.playing:
            found[device.id] = Playback(content=state.playing, playing=state.on)
    return found


def put(home: Home, target: Target, session: Playback) -> None:
    """Play `session` on `target`: a panel shows its content; a TV or speaker is switched on.

    A target in a watch group stays in it, and the group's other targets follow: the same
    content, position and playing state (each keeps its own volume)."""
    previous = home.playback.get(target.id)
    if session.group is None and previous is not None and previous.group is not None:
        session = session.model_copy(update={"group": previous.group})
    _put_one(home, target, session)
    if session.group is not None:
        for other_id, other in list(home.playback.items()):
            if other_id != target.id and other.group == session.group:
                _put_one(home, find_target(home, other_id),
                         session.model_copy(update={"volume": other.volume, "muted": other.muted}))


def group_targets(home: Home, group: str) -> list[str]:
    """The targets of a watch group."""
    return [t for t, s in home.playback.items() if s.group == group]


def watch_groups(home: Home) -> dict[str, list[str]]:
    """Every watch group of two or more targets, by id (a group of one is no group)."""
    found: dict[str, list[str]] = {}
    for target, session in home.playback.items():
        if session.group is not None:
            found.setdefault(session.group, []).append(target)
    return {g: ts for g, ts in found.items() if len(ts) > 1}


def ungroup(home: Home, target_id: str) -> None:
    """Take a target out of its watch group; a group left with one target is no group."""
    session = home.playback.get(target_id)
    if session is None or session.group is None:
        return
    home.playback[target_id] = session.model_copy(update={"group": None})
    rest = group_targets(home, session.group)
    if len(rest) == 1:
        home.playback[rest[0]] = home.playback[rest[0]].model_copy(update={"group": None})


def _put_one(home: Home, target: Target, session: Playback) -> None:
    home.playback[target.id] = session
    if target.kind == "panel":
        panel = home.panel(target.id)
        if panel is not None and panel.content != session.content:
            panel.content = session.content
    elif target.in_room:
        state = _device_state(home, target.id)
        state.on, state.playing, state.app = True, session.content, None


def stop(home: Home, target: Target) -> Optional[Playback]:
    """Stop what plays on `target` and return it. A TV stays on, showing nothing."""
    session = sessions(home).get(target.id)
    home.playback.pop(target.id, None)
    if target.in_room:
        _device_state(home, target.id).playing = None
    return session


def _device_state(home: Home, device_id: str) -> DeviceState:
    found = home.device(device_id)
    assert found is not None, device_id
    device = found[1]
    if device.state is None:
        device.state = DeviceState()
    return device.state


# --- resume points and continue watching ------------------------------------------------

@dataclass(frozen=True)
class ResumePoint:
    content: str
    position_s: float
    updated_at: datetime


@dataclass(frozen=True)
class ContinueItem:
    content: str
    title: str
    position_s: float
    duration_s: Optional[float]
    updated_at: datetime

    @property
    def progress(self) -> Optional[float]:
        """The fraction watched (0-1), when the duration is known."""
        return self.position_s / self.duration_s if self.duration_s else None


def in_progress(position_s: float, duration_s: Optional[float]) -> bool:
    """Part-way through: past the first minute and before the credits (95 %)."""
    if position_s <= MIN_PROGRESS_S:
        return False
    return not duration_s or position_s < FINISHED_FRACTION * float(duration_s)


def resume_from(point: Optional[ResumePoint], duration_s: Optional[float]) -> float:
    """Where to start a title: its resume point if part-way through, else the beginning."""
    if point is not None and in_progress(point.position_s, duration_s):
        return point.position_s
    return 0.0


def continue_watching(points: Iterable[ResumePoint],
                      titles: Mapping[str, tuple[str, Optional[float]]]) -> list[ContinueItem]:
    """Titles part-way through, most recent first. `titles` maps content refs the person may
    see to (title, duration); points for anything else are left out."""
    items = [ContinueItem(p.content, titles[p.content][0], p.position_s, titles[p.content][1], p.updated_at)
             for p in points if p.content in titles and in_progress(p.position_s, titles[p.content][1])]
    return sorted(items, key=lambda item: item.updated_at, reverse=True)


def format_position(seconds: float) -> str:
    """12:05 or 1:02:03."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
