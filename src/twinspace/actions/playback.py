"""Playback actions: play, pause, resume, seek, volume and handoff on panels, TVs, speakers,
headsets and glasses.

The rules (positions over time, what a handoff keeps) are in content/playback.py; here
targets are resolved, ratings checked and the rules applied to the twin. An omitted target
is resolved as spec/actions.md says: the panel the viewer looks at, else the session the
viewer used last, else the only candidate; anything else is a question back.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from twinspace.actions import bridged
from twinspace.actions.content_gate import admit, split_ref
from twinspace.actions.registry import ActionContext, Outcome, registry
from twinspace.content import playback as rules
from twinspace.content.playback import Target, find_target
from twinspace.errors import InvalidInput
from twinspace.home.model import Playback

TARGET_HELP = ("panel id, or device id (a TV or speaker in a room, a headset or glasses); "
               "omitted: the panel you look at or used last, else the only one playing")


class _TargetArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: Optional[str] = Field(None, description=TARGET_HELP)


class PlaybackPlayArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content: str = Field(description="content reference: channel:<id>, programme:<id> or vod:<id>")
    target: str = Field(description="panel id, or device id: a TV or speaker in a room, a headset or glasses")


class PlaybackPauseArgs(_TargetArgs):
    pass


class PlaybackResumeArgs(_TargetArgs):
    pass


class PlaybackSeekArgs(_TargetArgs):
    position_s: Optional[float] = Field(None, ge=0, description="seconds from the start")
    delta_s: Optional[float] = Field(None, description="seconds to skip: positive forward, negative back")

    @model_validator(mode="after")
    def _one_of(self) -> "PlaybackSeekArgs":
        if (self.position_s is None) == (self.delta_s is None):
            raise ValueError(rules.SEEK_NEEDS_ONE)
        return self


class PlaybackVolumeArgs(_TargetArgs):
    level: Optional[int] = Field(None, ge=0, le=100, description="volume 0-100")
    delta: Optional[int] = Field(None, ge=-100, le=100, description="change in volume, e.g. 10 or -10")
    mute: Optional[bool] = Field(None, description="true to mute, false to unmute")

    @model_validator(mode="after")
    def _something(self) -> "PlaybackVolumeArgs":
        if self.level is not None and self.delta is not None:
            raise ValueError(rules.VOLUME_NOT_BOTH)
        if self.level is None and self.delta is None and self.mute is None:
            raise ValueError("give level (0-100), delta (e.g. 10) or mute (true/false)")
        return self


class PlaybackHandoffArgs(_TargetArgs):
    to: str = Field(description="where to continue: a TV, a headset, glasses (device id) or a panel id")


# --- shared steps ------------------------------------------------------------------------

Wanted = Callable[[Playback], bool]
PLAYING: Wanted = lambda s: s.playing  # noqa: E731
PAUSED: Wanted = lambda s: not s.playing  # noqa: E731
ANY: Wanted = lambda s: True  # noqa: E731
SEEKABLE: Wanted = lambda s: not rules.is_live(s.content)  # noqa: E731  (live TV follows the guide)
SEEKABLE_PLAYING: Wanted = lambda s: s.playing and not rules.is_live(s.content)  # noqa: E731


def gate(ctx: ActionContext, ref: str, *, person: Optional[str] = None) -> str:
    """content_gate.admit at the action's time, so a channel is judged by what airs on it
    then; for the caller, or for `person` (whose headset it goes to). Returns the title."""
    services = ctx.services.at(ctx.now) if hasattr(ctx.services, "at") else ctx.services
    caller = ctx.caller if person is None else dataclasses.replace(ctx.caller, person=person)
    return admit(dataclasses.replace(ctx, services=services, caller=caller), ref)


def duration(ctx: ActionContext, ref: str) -> Optional[float]:
    return ctx.services.duration_of(ctx.home.id, ref) if ctx.services is not None else None


def remember(ctx: ActionContext, session: Optional[Playback]) -> None:
    """Keep a resume point for an on-demand session that stops or jumps."""
    if ctx.services is not None:
        ctx.services.remember(ctx.home.id, session, ctx.now, ctx.caller.person)


def title(ctx: ActionContext, ref: str) -> str:
    return ctx.services.title_of(ctx.home.id, ref) if ctx.services is not None else ref


def choice(ctx: ActionContext, target_id: str, session: Playback) -> str:
    """How a session is offered when asking which one: 'p2 (Starfall)', 'tv-living (Living room TV: News 24)'."""
    what = title(ctx, session.content)
    target = find_target(ctx.home, target_id)
    return f"{target.id} ({what})" if target.kind == "panel" else f"{target.id} ({target.name}: {what})"


def session_for(ctx: ActionContext, given: Optional[str], verb: str,
                tiers: tuple[Wanted, ...] = (PLAYING, ANY),
                nothing: Optional[str] = None) -> tuple[Target, Playback]:
    """The target an action works on and its session.

    Omitted target: the focused panel if something plays there; else, tier by tier (e.g.
    playing sessions first, then any), the caller's most recently used session, else the only
    one; several without a most recent one is a question listing them.
    """
    found = rules.sessions(ctx.home)
    if given is not None:
        target = find_target(ctx.home, given)
        if target.id not in found:
            raise InvalidInput(f"nothing is playing on {target.name} to {verb}")
        return target, found[target.id]
    if ctx.focus is not None and ctx.focus in found:
        return find_target(ctx.home, ctx.focus), found[ctx.focus]
    for wanted in tiers:
        candidates = {t: s for t, s in found.items() if wanted(s)}
        if not candidates:
            continue
        chosen = _last_used(candidates, ctx.caller.person)
        if chosen is None and len(candidates) == 1:
            chosen = next(iter(candidates))
        if chosen is None:
            options = ", ".join(choice(ctx, t, s) for t, s in candidates.items())
            raise InvalidInput(f"which one should I {verb}: {options}? Say which with target")
        return find_target(ctx.home, chosen), candidates[chosen]
    raise InvalidInput(f"{nothing or f'nothing is playing to {verb}'}; "
                       "play something first with playback.play or panel.open")


def _last_used(candidates: dict[str, Playback], person: Optional[str]) -> Optional[str]:
    """The caller's session changed most recently, when there is exactly one such."""
    mine = [(s.updated_at, t) for t, s in candidates.items() if person and s.person == person and s.updated_at]
    if not mine:
        return None
    mine.sort(reverse=True)
    if len(mine) > 1 and mine[0][0] == mine[1][0]:
        return None  # used at the same moment: no "last"
    return mine[0][1]


def _playback_result(target: Target, session: Playback) -> dict:
    return {"target": target.id, "playback": session.model_dump(mode="json")}


# --- actions -----------------------------------------------------------------------------

@registry.action("playback.play", PlaybackPlayArgs)
def playback_play(ctx: ActionContext, args: PlaybackPlayArgs) -> Outcome:
    """Play content on an existing panel or on a device (TV, speaker, headset, glasses)."""
    target = find_target(ctx.home, args.target)
    kind, _ = split_ref(args.content)
    resolved = {"content": args.content, "target": target.id}
    if kind == "app":
        return _show_app(ctx, target, args.content, resolved)
    shown = gate(ctx, args.content)
    _check_airing(ctx, args.content)
    previous = rules.sessions(ctx.home).get(target.id)
    if previous is not None and previous.content == args.content:
        if previous.playing:
            return Outcome("playback.play", resolved, f"{shown} is already playing on {target.name}", changed=False,
                           result=_playback_result(target, previous))
        session = rules.resume(previous, ctx.now, duration(ctx, args.content))
    else:
        remember(ctx, previous)
        start_at = 0.0
        if ctx.services is not None and not rules.is_live(args.content):
            point = ctx.services.resume_point(ctx.home.id, ctx.caller.person, args.content)
            start_at = rules.resume_from(point, duration(ctx, args.content))
        session = rules.start(args.content, ctx.now, person=ctx.caller.person, position_s=start_at,
                              volume=previous.volume if previous else rules.DEFAULT_VOLUME,
                              muted=previous.muted if previous else False)
    rules.put(ctx.home, target, session)
    _play_on_device(ctx, target.id, args.content, shown, session)
    where = f" from {rules.format_position(session.position_s)}" if session.position_s else ""
    return Outcome("playback.play", resolved, f"Playing {shown} on {target.name}{where}",
                   result=_playback_result(target, session))


def _play_on_device(ctx: ActionContext, target_id: str, ref: str, shown: str, session: Playback) -> None:
    """A bridged TV or speaker plays it for real, and must confirm it does."""
    device = bridged.on_device(ctx, target_id)
    if device is not None:
        bridged.carry_out(ctx, device, "playback.play", content=ref, title=shown, url=bridged.stream_of(ctx, ref),
                          position_s=session.position_s)


def _at_device_position(session: Playback, confirmed: Optional[dict]) -> Playback:
    """The session at the position the device itself reported (a DLNA renderer's
    GetPositionInfo), which knows better than the hub's clock where playback was."""
    position = (confirmed or {}).get("position_s")
    if position is None or rules.is_live(session.content):
        return session
    return session.model_copy(update={"position_s": float(position)})


def _show_app(ctx: ActionContext, target: Target, ref: str, resolved: dict) -> Outcome:
    """An app replaces what a panel shows; on a TV it is app.launch, in the room panel.open."""
    name = admit(ctx, ref)
    if target.kind != "panel":
        hint = "app.launch" if target.kind == "tv" else f"panel.open with {ref}"
        raise InvalidInput(f"{name} is an app, not something to play; to open it use {hint}")
    remember(ctx, rules.stop(ctx.home, target))
    panel = ctx.home.panel(target.id)
    assert panel is not None
    panel.content = ref
    return Outcome("playback.play", resolved, f"Showing {name} on {target.name}")


def _check_airing(ctx: ActionContext, ref: str) -> None:
    """A programme plays live on its channel, so only while it airs (there is no catch-up)."""
    if not ref.startswith("programme:") or ctx.services is None:
        return
    programme = ctx.services.resolve(ctx.home.id, ref).airing
    if programme is not None and not programme.airing_at(ctx.now):
        when = f"{programme.start:%a %d %b %H:%M}–{programme.stop:%H:%M}"
        hint = f"; play channel:{programme.channel_id} to watch what is on now"
        raise InvalidInput(f"{programme.title} is not on now (it airs {when}){hint}")


@registry.action("playback.pause", PlaybackPauseArgs)
def playback_pause(ctx: ActionContext, args: PlaybackPauseArgs) -> Outcome:
    """Pause what plays on a target."""
    target, session = session_for(ctx, args.target, "pause", (PLAYING,))
    resolved = {"target": target.id}
    name = title(ctx, session.content)
    if not session.playing:
        return Outcome("playback.pause", resolved, f"{name} is already paused on {target.name}", changed=False)
    paused = rules.pause(session, ctx.now, duration(ctx, session.content))
    if (device := bridged.on_device(ctx, target.id)) is not None:
        paused = _at_device_position(paused, bridged.carry_out(ctx, device, "playback.pause"))
    rules.put(ctx.home, target, paused)
    remember(ctx, paused)
    at = "" if rules.is_live(paused.content) else f" at {rules.format_position(paused.position_s)}"
    return Outcome("playback.pause", resolved, f"Paused {name} on {target.name}{at}",
                   result=_playback_result(target, paused))


@registry.action("playback.resume", PlaybackResumeArgs)
def playback_resume(ctx: ActionContext, args: PlaybackResumeArgs) -> Outcome:
    """Resume what is paused on a target."""
    target, session = session_for(ctx, args.target, "resume", (PAUSED,), nothing="nothing is paused to resume")
    resolved = {"target": target.id}
    shown = gate(ctx, session.content)  # resuming shows it again: the caller's limit applies
    if session.playing:
        return Outcome("playback.resume", resolved, f"{shown} is already playing on {target.name}", changed=False)
    playing = rules.resume(session, ctx.now, duration(ctx, session.content))
    if (device := bridged.on_device(ctx, target.id)) is not None:
        bridged.carry_out(ctx, device, "playback.resume")
    rules.put(ctx.home, target, playing)
    return Outcome("playback.resume", resolved, f"Resumed {shown} on {target.name}",
                   result=_playback_result(target, playing))


@registry.action("playback.seek", PlaybackSeekArgs)
def playback_seek(ctx: ActionContext, args: PlaybackSeekArgs) -> Outcome:
    """Seek to a position, or skip forward or back."""
    target, session = session_for(ctx, args.target, "seek", (SEEKABLE_PLAYING, SEEKABLE),
                                  nothing="no on-demand title is playing to seek in (live TV follows the guide)")
    moved = rules.seek(session, ctx.now, duration(ctx, session.content),
                       position_s=args.position_s, delta_s=args.delta_s)
    rules.put(ctx.home, target, moved)
    remember(ctx, moved)
    resolved = {"target": target.id, **args.model_dump(exclude_none=True, exclude={"target"})}
    return Outcome("playback.seek", resolved,
                   f"{title(ctx, session.content)} is at {rules.format_position(moved.position_s)} on {target.name}",
                   result=_playback_result(target, moved))


@registry.action("playback.volume", PlaybackVolumeArgs)
def playback_volume(ctx: ActionContext, args: PlaybackVolumeArgs) -> Outcome:
    """Set or change the volume, or mute and unmute."""
    target, session = session_for(ctx, args.target, "change the volume of")
    changed = rules.set_volume(session, ctx.now, duration(ctx, session.content),
                               level=args.level, delta=args.delta, mute=args.mute)
    resolved = {"target": target.id, **args.model_dump(exclude_none=True, exclude={"target"})}
    state = "muted" if changed.muted else f"at volume {changed.volume}"
    if (changed.volume, changed.muted) == (session.volume, session.muted):
        return Outcome("playback.volume", resolved, f"{target.name} is already {state}", changed=False)
    rules.put(ctx.home, target, changed)
    if (device := bridged.on_device(ctx, target.id)) is not None:
        bridged.carry_out(ctx, device, "playback.volume", level=changed.volume,
                          mute=changed.muted if args.mute is not None else None)
    return Outcome("playback.volume", resolved, f"{target.name} is now {state}",
                   result=_playback_result(target, changed))


@registry.action("playback.handoff", PlaybackHandoffArgs)
def playback_handoff(ctx: ActionContext, args: PlaybackHandoffArgs) -> Outcome:
    """Move what plays on a target to another device or panel, keeping its position."""
    source, session = session_for(ctx, args.target, "move")
    dest = find_target(ctx.home, args.to)
    shown = gate(ctx, session.content)
    if dest.id == source.id:
        raise InvalidInput(f"{shown} is already playing on {dest.name}")
    wearable = ctx.home.xr_device(dest.id)
    if wearable is not None and wearable.owner and wearable.owner != ctx.caller.person:
        gate(ctx, session.content, person=wearable.owner)  # it goes to someone else's eyes: their limit too
    continuing = rules.moved(session, ctx.now, duration(ctx, session.content))
    if continuing.person is None:
        continuing = continuing.model_copy(update={"person": ctx.caller.person})
    if (device := bridged.on_device(ctx, source.id)) is not None:
        continuing = _at_device_position(continuing, bridged.carry_out(ctx, device, "playback.stop"))
    remember(ctx, rules.stop(ctx.home, dest))  # whatever played there gives way
    rules.stop(ctx.home, source)
    rules.put(ctx.home, dest, continuing)
    _play_on_device(ctx, dest.id, session.content, shown, continuing)
    remember(ctx, continuing)
    at = "" if rules.is_live(continuing.content) else f" at {rules.format_position(continuing.position_s)}"
    return Outcome("playback.handoff", {"target": source.id, "to": dest.id},
                   f"Moved {shown} from {source.name} to {dest.name}{at}",
                   result={"from": source.id, **_playback_result(dest, continuing)})
