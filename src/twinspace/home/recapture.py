"""Put a captured room into a home, replacing the room it was captured from.

The capture is first lined up with the stored room (`alignment.fit_walls`); when it fits, the
new room is moved into the twin's coordinates, so every panel and device keeps its place in
the real room. Then each panel of the room goes onto the new surface that matches its old one
(same label, facing the same way, nearest its position): kept where it was when it fits there,
else placed anew on that surface; a panel with no matching surface is closed, and said so.
Devices stay (they are not scanned) and the room's TV is bound to the captured screen, so
"on the TV" and "beside the TV" mean the real one. Everything is done to the home it is given
(the hub's working copy), so a failure leaves nothing behind and undo restores the old room.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from twinspace.errors import InvalidInput, NotFound, PlacementImpossible
from twinspace.geometry import dot, length, point_in_polygon, sub
from twinspace.home.alignment import Fit, Rigid, fit_walls, marks_of
from twinspace.home.capture import Captured
from twinspace.home.model import Home, Panel, Pose, Room, Surface
from twinspace.home.placement import SURFACE_OFFSET, PlacementRequest, place
from twinspace.home.scan import PLACEABLE, is_wall

MATCH_M = 0.5  # a new surface farther than this from a panel is not where the panel was
MARK_LABELS = ("SCREEN", "DOOR_FRAME", "WINDOW_FRAME", "WALL_ART")


@dataclass
class Report:
    room: str
    fit: Optional[Fit] = None
    transform: Rigid = field(default_factory=Rigid)
    kept: list[str] = field(default_factory=list)      # panels left exactly where they were
    moved: list[str] = field(default_factory=list)     # panels placed anew, with where
    closed: list[str] = field(default_factory=list)    # panels that could not be kept, and why
    devices: list[str] = field(default_factory=list)   # what happened to devices

    def as_dict(self) -> dict[str, Any]:
        return {"room": self.room, "aligned": self.fit is not None and self.fit.good,
                "fit_m": None if self.fit is None else round(self.fit.rms_m, 4),
                "transform": self.transform.as_dict(), "kept": self.kept, "moved": self.moved,
                "closed": self.closed, "devices": self.devices}


def install(home: Home, captured: Captured, tv: Optional[str] = None) -> Report:
    """Add the captured room to `home`, or replace the room with its id; see the module doc."""
    new = captured.room
    report = Report(new.id)
    old = home.room(new.id)
    if old is not None:
        tvs = [("SCREEN", d.pose.position) for d in old.devices if d.kind == "tv" and d.pose is not None]
        report.fit = fit_walls(walls(new), walls(old), marks_of(new.surfaces, MARK_LABELS),
                               marks_of(old.surfaces, MARK_LABELS) + tvs)
        if report.fit.good:
            report.transform = report.fit.transform
            new = moved_room(new, report.transform)
    _check_other_rooms(home, new)
    new = new.model_copy(update={"devices": [d.model_copy(deep=True) for d in old.devices] if old else []})
    if old is None:
        home.rooms.append(new)
    else:
        home.rooms[home.rooms.index(old)] = new
        aligned = report.fit is not None and report.fit.good
        for panel in [p for p in home.panels if p.room == new.id]:
            _reattach(home, old, new, panel, aligned, report)
        for d in new.devices:
            if d.pose is not None and not point_in_polygon(d.pose.position[0], d.pose.position[2], new.floor):
                report.devices.append(f"{d.id} is outside the captured floor; left where it was")
    _bind_tv(home, new, tv, report)
    return report


def walls(room: Room) -> list[Surface]:
    """The walls a fit lines up (open sides too: they are where the room's walls are)."""
    return [s for s in room.surfaces if is_wall(s.label)]


def moved_room(room: Room, t: Rigid) -> Room:
    floor = [(round(p[0], 6) + 0.0, round(p[2], 6) + 0.0) for p in (t.point((x, 0.0, z)) for x, z in room.floor)]
    surfaces = [s.model_copy(update={"pose": t.pose(s.pose)}) for s in room.surfaces]
    return room.model_copy(update={"floor": floor, "surfaces": surfaces})


def _check_other_rooms(home: Home, room: Room) -> None:
    ids = {s.id for r in home.rooms if r.id != room.id for s in r.surfaces} | \
          {d.id for r in home.rooms if r.id != room.id for d in r.devices} | {r.id for r in home.rooms if r.id != room.id}
    clash = next((s.id for s in room.surfaces if s.id in ids), None)
    if clash is not None or room.id in {p.id for p in home.panels}:
        raise InvalidInput(f"the id {clash or room.id} is already used elsewhere in the home; capture into another room id")


def _reattach(home: Home, old: Room, new: Room, panel: Panel, aligned: bool, report: Report) -> None:
    was = next((s for s in old.surfaces if s.id == panel.surface), None)
    if panel.surface is None or was is None:
        x, y, z = panel.pose.position
        if point_in_polygon(x, z, new.floor) and 0 < y < new.height:
            report.kept.append(f"{panel.id} (floating)")
        else:
            _close(home, panel, report, "it floated where the new scan has no room")
        return
    match = _matching(new, was, panel, aligned)
    if match is None:
        _close(home, panel, report, f"the new scan has no {was.label.lower().replace('_', ' ')} like {was.id}")
        return
    pose = _same_spot(was, match, panel) if aligned else None
    if pose is not None:
        panel.pose, panel.surface = pose, match.id
        report.kept.append(f"{panel.id} on {match.id}")
        return
    try:
        spot = place(home, PlacementRequest(surface=match.id, size=panel.size_preset), None, new.id, ignore_panel=panel.id)
    except (PlacementImpossible, NotFound):
        _close(home, panel, report, f"{match.id} has no room for it")
        return
    panel.pose, panel.size, panel.surface = spot.pose, spot.size, spot.surface
    report.moved.append(f"{panel.id} to {match.id}")


def _matching(new: Room, was: Surface, panel: Panel, aligned: bool) -> Optional[Surface]:
    same = [s for s in new.surfaces if s.label == was.label and s.label in PLACEABLE]
    if not aligned:  # positions mean nothing across spaces: the most alike in size
        return min(same, key=lambda s: (abs(s.size[0] * s.size[1] - was.size[0] * was.size[1]), s.id), default=None)
    near = [(_off(s, panel.pose.position), s.id, s) for s in same if dot(s.frame.normal, was.frame.normal) > 0.7]
    near = [n for n in near if n[0] <= MATCH_M]
    return min(near, default=(None, None, None))[2]


def _off(s: Surface, p: tuple[float, float, float]) -> float:
    """Distance from a point to a surface's rectangle."""
    x, y, z = s.frame.to_local(p)
    dx = max(0.0, abs(x) - s.size[0] / 2)
    dy = max(0.0, abs(y) - s.size[1] / 2)
    return length((dx, dy, z))


def _same_spot(was: Surface, now: Surface, panel: Panel) -> Optional[Pose]:
    """The panel where it was, on the new surface, if it still fits there."""
    w, h = panel.size
    if abs(now.frame.normal[1]) > 0.7:  # standing on a top: keep its pose, on the new top's height
        lx, ly, _ = now.frame.to_local(panel.pose.position)
        if abs(lx) > now.size[0] / 2 or abs(ly) > now.size[1] / 2:
            return None
        rise = now.pose.position[1] - was.pose.position[1]
        x, y, z = panel.pose.position
        return Pose(position=(x, round(y + rise, 6), z), rotation=panel.pose.rotation)
    lx, ly, _ = now.frame.to_local(panel.pose.position)
    if abs(lx) + w / 2 > now.size[0] / 2 or abs(ly) + h / 2 > now.size[1] / 2:
        return None
    at = now.frame.to_world((lx, ly, SURFACE_OFFSET))
    return Pose(position=tuple(round(c, 6) for c in at), rotation=now.pose.rotation)  # type: ignore[arg-type]


def _close(home: Home, panel: Panel, report: Report, why: str) -> None:
    home.panels.remove(panel)
    home.playback.pop(panel.id, None)
    report.closed.append(f"{panel.id} ({panel.content}): {why}")


def _bind_tv(home: Home, room: Room, tv: Optional[str], report: Report) -> None:
    screens = [s for s in room.surfaces if s.label == "SCREEN"]
    if tv is not None:
        found = home.device(tv)
        if found is None or found[1].kind != "tv":
            tvs = ", ".join(d.id for _, d in home.devices() if d.kind == "tv") or "none"
            raise NotFound(f"there is no TV {tv!r} in this home; TVs: {tvs}")
        if not screens:
            raise InvalidInput(f"the capture has no screen to bind {tv} to; capture with the TV in view "
                               "(its volume labelled screen in the headset's space setup)")
        owner, device = found
    else:
        tvs = [d for d in room.devices if d.kind == "tv"]
        if len(tvs) != 1 or not screens:
            return
        owner, device = room, tvs[0]
    at = device.pose.position if device.pose else room.surfaces[0].pose.position
    screen = min(screens, key=lambda s: (length(sub(s.pose.position, at)), s.id))
    device.pose = screen.pose.model_copy()
    device.size = screen.size
    if owner.id != room.id:  # bound to a screen in another room: the TV lives there now
        owner.devices.remove(device)
        room.devices.append(device)
    report.devices.append(f"{device.id} is the captured screen {screen.id}")
