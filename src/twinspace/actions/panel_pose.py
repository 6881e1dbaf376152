"""panel.pose: put a panel exactly where a person dragged it, if the home allows it there.

`panel.move` asks the placement engine to *choose* a spot; `panel.pose` *checks* a spot a
person chose (a drag in XR, an edit in the live document) against the engine's rules: the
surface's usable area and outline, its plane, and the gaps to other panels and to devices
mounted there. Close misses are snapped: onto the surface's plane (with its rotation), and
a panel standing on a table onto the table top.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from twinspace.actions.panels import find_panel
from twinspace.actions.registry import ActionContext, Outcome, registry
from twinspace.errors import InvalidInput, NotFound, PlacementImpossible
from twinspace.geometry import (
    IDENTITY, Frame, Quat, Vec3, Viewer, add, horizontal, length, normalize, point_in_polygon,
    quat_rotate, rects_overlap, scale, sub,
)
from twinspace.home.model import Home, Panel, Pose, Room, Surface
from twinspace.home.scan import PLACEABLE
from twinspace.home.placement import (
    DEVICE_MARGIN, MIN_BOTTOM, PLANE_TOLERANCE, obstacles_on, placement_on, surface_region, Region, within_boundary,
)

EPS = 1e-6


class PanelPoseArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    panel: str
    position: tuple[float, float, float] = Field(description="the panel's centre, in world metres")
    rotation: Optional[tuple[float, float, float, float]] = Field(
        None, description="unit quaternion [x, y, z, w]: a floating panel's facing, or which edge of a "
                          "table it stands on; default: its current rotation")
    surface: Optional[str] = Field(None, description="a surface id in the panel's room; default: its current surface")
    floating: bool = Field(False, description="take the panel off its surface and float it at this pose")

    @model_validator(mode="after")
    def _valid(self) -> "PanelPoseArgs":
        if self.floating and self.surface is not None:
            raise ValueError("a panel either floats or goes on a surface; give one of them")
        try:  # the same finiteness and unit-quaternion rules as every pose in the home
            Pose(position=self.position, rotation=self.rotation or IDENTITY)
        except ValidationError as e:
            raise ValueError(e.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")) from None
        return self


@registry.action("panel.pose", PanelPoseArgs)
def panel_pose(ctx: ActionContext, args: PanelPoseArgs) -> Outcome:
    """Put a panel at an exact position on a surface of its room, or floating."""
    panel = find_panel(ctx.home, args.panel)
    room = ctx.home.room(panel.room)
    if room is None:  # the model keeps panels in existing rooms; guard against a hand-edited store
        raise NotFound(f"panel {panel.id} is in room {panel.room!r}, which no longer exists")
    rotation: Quat = args.rotation or panel.pose.rotation
    surface_id = None if args.floating else (args.surface or panel.surface)
    if surface_id is None:
        pose = _floating_pose(ctx.home, room, panel, args.position, rotation)
    else:
        pose = _surface_pose(ctx.home, room, panel, _surface_in(ctx.home, room, surface_id),
                             args.position, rotation)
    changed = pose != panel.pose or surface_id != panel.surface
    panel.pose, panel.surface = pose, surface_id
    where: dict = {"floating": True} if surface_id is None else {"surface": surface_id}
    resolved = {"panel": panel.id, "position": list(pose.position), "rotation": list(pose.rotation), **where}
    message = f"Moved the panel {'floating' if surface_id is None else 'on ' + surface_id}"
    return Outcome("panel.pose", resolved, message, changed=changed,
                   result={"panel": panel.model_dump(mode="json")})


def _surface_in(home: Home, room: Room, surface_id: str) -> Surface:
    found = next((s for s in room.surfaces if s.id == surface_id), None)
    if found is not None:
        if found.label not in PLACEABLE:
            raise PlacementImpossible(f"{found.id} is an open side of {room.name}, not a wall; panels cannot go there")
        return found
    elsewhere = home.surface(surface_id)
    if elsewhere is not None:
        raise InvalidInput(f"{surface_id} is in {elsewhere[0].name}, not in {room.name} where the panel is; "
                           "use panel.move to move a panel to another room")
    listing = ", ".join(s.id for s in sorted(room.surfaces, key=lambda s: s.id)) or "none"
    raise NotFound(f"there is no surface {surface_id!r} in {room.name}; surfaces there: {listing}")


def _surface_pose(home: Home, room: Room, panel: Panel, s: Surface, position: Vec3, rotation: Quat) -> Pose:
    region, _ = surface_region(s, _viewer_facing(s, position, rotation), position)
    x, y, z = region.frame.to_local(position)
    w, h = panel.size
    if region.standing:  # dropped anywhere over the top: it stands on the top, on the back edge
        _check_over(s, position, region.y1)
        y = region.y0 + h / 2
    elif abs(z) > PLANE_TOLERANCE:
        raise InvalidInput(f"the panel is {abs(z):.2f} m off {s.id}; a panel on a surface must be on it "
                           f"(within {PLANE_TOLERANCE:.2f} m), or floating")
    _check_inside(region, s, x, y, w, h)
    _check_free(home, room, region, panel.id, x, y, w, h)
    return placement_on(s.id, room, region, ((x, y), (w, h)), panel.size_preset).pose


def _check_over(s: Surface, position: Vec3, max_height: float) -> None:
    lx, ly, lz = s.frame.to_local(position)
    over = abs(lx) <= s.size[0] / 2 + PLANE_TOLERANCE and abs(ly) <= s.size[1] / 2 + PLANE_TOLERANCE
    if not over or not -PLANE_TOLERANCE <= lz <= max_height + PLANE_TOLERANCE:
        raise InvalidInput(f"the panel is not on {s.id}; drop it over its top to stand it there, or float it")


def _viewer_facing(s: Surface, position: Vec3, rotation: Quat) -> Viewer:
    """Someone in front of the panel: the placement engine stands a panel on the table edge
    away from its viewer, so this picks the edge the panel's facing implies."""
    facing = horizontal(quat_rotate(rotation, (0.0, 0.0, 1.0)))
    if length(facing) < 1e-3:  # lying flat: stand it on the edge it was dropped nearest
        facing = horizontal(sub(s.frame.position, position))
    if length(facing) < 1e-3:
        facing = (0.0, 0.0, 1.0)
    return Viewer(add(s.frame.position, scale(normalize(facing), 2.0)))


def _check_inside(region: Region, s: Surface, x: float, y: float, w: float, h: float) -> None:
    lo_x, hi_x, lo_y, hi_y = region.x0 + w / 2, region.x1 - w / 2, region.y0 + h / 2, region.y1 - h / 2
    if lo_x > hi_x + EPS or lo_y > hi_y + EPS:
        raise PlacementImpossible(f"a {w:.2f} × {h:.2f} m panel does not fit on {s.id}; make it smaller first")
    overhang = [(x - hi_x, "right"), (lo_x - x, "left"), (y - hi_y, "top"), (lo_y - y, "bottom")]
    by, edge = max(overhang)
    if by > EPS:
        raised = edge == "bottom" and not region.standing and region.y0 > -s.size[1] / 2 + EPS
        floor_rule = f" (panels keep their bottom {MIN_BOTTOM:g} m above the floor)" if raised else ""
        raise InvalidInput(f"the panel would stick out {by:.2f} m past the {edge} edge of {s.id}{floor_rule}")
    if not within_boundary(region, x, y, w, h):
        raise InvalidInput(f"the panel would stick out of the outline of {s.id}")


def _check_free(home: Home, room: Room, region: Region, panel_id: str, x: float, y: float,
                w: float, h: float) -> None:
    for ox, oy, ow, oh, gap in obstacles_on(home, room, region, panel_id):
        if rects_overlap((x, y), (w, h), (ox, oy), (ow, oh), gap):
            what = f"a device there (devices keep {DEVICE_MARGIN:.2f} m clear)" if gap == DEVICE_MARGIN \
                else f"another panel (panels keep {gap:.2f} m apart)"
            raise InvalidInput(f"the panel would overlap {what}; move it to a free spot")


def _floating_pose(home: Home, room: Room, panel: Panel, position: Vec3, rotation: Quat) -> Pose:
    x, y, z = position
    if not point_in_polygon(x, z, room.floor) or not 0 < y < room.height:
        raise InvalidInput(f"a floating panel must stay inside {room.name} (its floor outline, "
                           f"0-{room.height:g} m up); to move it to another room use panel.move")
    w, h = panel.size
    # The panel's own plane, just its extent: other floating panels and devices in it are obstacles.
    region = Region(Frame(position, rotation), -w / 2, w / 2, -h / 2, h / 2)
    _check_free(home, room, region, panel.id, 0.0, 0.0, w, h)
    return Pose(position=position, rotation=rotation)
