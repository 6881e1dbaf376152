"""Watch groups: several targets (panels, the TV, headsets, glasses) playing one title in step.

A group is recorded in the twin as the `group` of each target's playback session; every
playback action on one of its targets then applies to all of them (content/playback.put).
Keeping them in step, frame for frame, is the hub's cowatch service (docs/cowatch.md).
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from twinspace.actions.playback import TARGET_HELP, duration, gate, remember, session_for, title
from twinspace.actions.registry import ActionContext, Outcome, registry
from twinspace.content import playback as rules
from twinspace.content.playback import find_target
from twinspace.errors import InvalidInput, NotFound


class CowatchStartArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    target: Optional[str] = Field(None, description=TARGET_HELP)
    with_: list[str] = Field(alias="with", min_length=1, max_length=16,
                             description="the other targets to watch on: device ids (the TV, a headset) or panel ids")


class CowatchJoinArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: str = Field(description="the watch group, e.g. g1")
    target: str = Field(description="the panel or device that joins it")


class CowatchLeaveArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str = Field(description="the panel or device that leaves its watch group (it plays on alone)")


class CowatchEndArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    group: Optional[str] = Field(None, description="the watch group; omitted: the only one")


def groups(ctx: ActionContext) -> dict[str, list[str]]:
    """Every watch group of two or more targets, by id."""
    return rules.watch_groups(ctx.home)


def _new_group_id(ctx: ActionContext) -> str:
    used = {s.group for s in ctx.home.playback.values()}
    return next(f"g{n}" for n in range(1, len(used) + 2) if f"g{n}" not in used)


def _add(ctx: ActionContext, group: str, source_id: str, dest_id: str) -> str:
    """Play the source's session on `dest_id` too, in the group; returns the target's name."""
    session = ctx.home.playback[source_id]
    dest = find_target(ctx.home, dest_id)
    if dest.id == source_id or ctx.home.playback.get(dest.id, None) is not None \
            and ctx.home.playback[dest.id].group == group:
        return dest.name
    wearable = ctx.home.xr_device(dest.id)
    if wearable is not None and wearable.owner and wearable.owner != ctx.caller.person:
        gate(ctx, session.content, person=wearable.owner)  # it goes to someone else's eyes: their limit too
    remember(ctx, rules.stop(ctx.home, dest))
    joined = rules.moved(session, ctx.now, duration(ctx, session.content)) if session.playing else session
    rules.put(ctx.home, dest, joined.model_copy(update={"group": group, "volume": rules.DEFAULT_VOLUME,
                                                        "muted": False}))
    return dest.name


@registry.action("cowatch.start", CowatchStartArgs)
def cowatch_start(ctx: ActionContext, args: CowatchStartArgs) -> Outcome:
    """Watch what plays on a target together with other targets, in step."""
    source, session = session_for(ctx, args.target, "watch together")
    shown = gate(ctx, session.content)
    group = session.group if session.group in groups(ctx) else _new_group_id(ctx)
    ctx.home.playback[source.id] = session.model_copy(update={"group": group})
    names = [_add(ctx, group, source.id, other) for other in args.with_]
    members = rules.group_targets(ctx.home, group)
    return Outcome("cowatch.start", {"target": source.id, "with": args.with_},
                   f"{shown} plays in step on {source.name} and {', '.join(names)}",
                   result={"group": group, "targets": members})


@registry.action("cowatch.join", CowatchJoinArgs)
def cowatch_join(ctx: ActionContext, args: CowatchJoinArgs) -> Outcome:
    """Add a panel or device to a watch group."""
    members = groups(ctx).get(args.group)
    if members is None:
        known = ", ".join(groups(ctx)) or "none"
        raise NotFound(f"there is no watch group {args.group!r}; groups: {known} (start one with cowatch.start)")
    gate(ctx, ctx.home.playback[members[0]].content)
    name = _add(ctx, args.group, members[0], args.target)
    return Outcome("cowatch.join", {"group": args.group, "target": args.target},
                   f"{name} joined watch group {args.group}",
                   result={"group": args.group, "targets": rules.group_targets(ctx.home, args.group)})


@registry.action("cowatch.leave", CowatchLeaveArgs)
def cowatch_leave(ctx: ActionContext, args: CowatchLeaveArgs) -> Outcome:
    """Take a panel or device out of its watch group; it plays on by itself."""
    target = find_target(ctx.home, args.target)
    session = ctx.home.playback.get(target.id)
    if session is None or session.group not in groups(ctx):
        raise InvalidInput(f"{target.name} is not watching together with anything")
    rules.ungroup(ctx.home, target.id)
    return Outcome("cowatch.leave", {"target": target.id}, f"{target.name} left watch group {session.group}",
                   result={"group": session.group})


@registry.action("cowatch.end", CowatchEndArgs)
def cowatch_end(ctx: ActionContext, args: CowatchEndArgs) -> Outcome:
    """Stop watching together: every target of the group plays on by itself."""
    found = groups(ctx)
    group = args.group
    if group is None:
        if len(found) != 1:
            raise InvalidInput("nothing is watched together" if not found else
                               f"which watch group: {', '.join(found)}? Say which with group")
        group = next(iter(found))
    if group not in found:
        raise NotFound(f"there is no watch group {group!r}; groups: {', '.join(found) or 'none'}")
    targets = found[group]
    for target in targets:
        rules.ungroup(ctx.home, target)
    what = title(ctx, ctx.home.playback[targets[0]].content)
    return Outcome("cowatch.end", {"group": group}, f"{what} no longer plays in step on {', '.join(targets)}",
                   result={"group": group, "targets": targets})
