"""room.capture: make or replace a room from what the headset sees (WebXR plane and mesh detection)."""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from twinspace.actions.registry import ActionContext, Outcome, registry
from twinspace.errors import Forbidden, NotFound
from twinspace.home.alignment import fit_walls, marks_of
from twinspace.home.capture import Capture, room_from_capture
from twinspace.home.model import Id
from twinspace.home.recapture import MARK_LABELS, install, walls


class RoomCaptureArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    room: Id = Field(description="the room to make, or to replace when it exists")
    name: Optional[str] = Field(None, description="the room's name; default: its current name")
    capture: Capture = Field(description="detected planes and meshes, in one reference space")
    tv: Optional[str] = Field(None, description="the TV device to bind to the captured screen; default: the "
                                                "room's only TV, when there is one")


@registry.action("room.capture", RoomCaptureArgs, reshapes=True)
def room_capture(ctx: ActionContext, args: RoomCaptureArgs) -> Outcome:
    """Make or replace a room from a headset's room capture, keeping its panels where they fit."""
    if not ctx.caller.is_owner:
        raise Forbidden("only the home's owner can capture a room; ask them to pair this device as owner")
    old = ctx.home.room(args.room)
    name = args.name or (old.name if old else args.room.replace("-", " ").capitalize())
    captured = room_from_capture(args.capture, args.room, name)
    report = install(ctx.home, captured, args.tv)
    kept = len(report.kept)
    lost = f"; closed {len(report.closed)}: " + "; ".join(report.closed) if report.closed else ""
    aligned = "" if report.fit is None else (
        f", lined up with the old room within {report.fit.rms_m * 100:.1f} cm" if report.fit.good else
        f"; it did not line up with the old room (off by {report.fit.rms_m:.2f} m), so panels were placed anew")
    verb = "Replaced" if old else "Captured"
    message = (f"{verb} {name}: {sum(captured.found.values())} surfaces{aligned}; "
               f"kept {kept} panel{'s' if kept != 1 else ''}, moved {len(report.moved)}{lost}")
    summary = {"room": args.room, "name": name, "found": captured.found, **(
        {"tv": args.tv} if args.tv else {})}
    return Outcome("room.capture", summary, message,
                   result={**report.as_dict(), "found": captured.found, "skipped": captured.skipped,
                           "floor_y": captured.floor_y, "area_m2": round(captured.room.area, 3),
                           "height_m": captured.room.height})


class RoomAlignArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    room: Id = Field(description="the stored room the headset is in")
    capture: Capture = Field(description="what the headset sees now: detected planes and meshes")


@registry.action("room.align", RoomAlignArgs, read_only=True)
def room_align(ctx: ActionContext, args: RoomAlignArgs) -> Outcome:
    """Read-only: how the headset's space lines up with a stored room (for a session without anchors)."""
    room = ctx.home.room(args.room)
    if room is None:
        raise NotFound(f"there is no room {args.room!r}; rooms: {', '.join(r.id for r in ctx.home.rooms)}")
    seen = room_from_capture(args.capture, args.room, room.name)
    tvs = [("SCREEN", d.pose.position) for d in room.devices if d.kind == "tv" and d.pose is not None]
    fit = fit_walls(walls(seen.room), walls(room), marks_of(seen.room.surfaces, MARK_LABELS),
                    marks_of(room.surfaces, MARK_LABELS) + tvs)
    if fit.good:
        message = f"Lined up with {room.name} within {fit.rms_m * 100:.1f} cm"
    else:
        message = (f"This does not line up with {room.name} (off by {min(fit.rms_m, 99.0):.2f} m): "
                   "capture the room again")
    return Outcome("room.align", {"room": args.room}, message, changed=False,
                   result={"room": args.room, "good": fit.good, "fit_m": None if fit.rms_m == float("inf") else
                           round(fit.rms_m, 4), "transform": fit.transform.as_dict(), "floor_y": seen.floor_y})
