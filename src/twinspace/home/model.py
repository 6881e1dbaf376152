"""The home twin: homes, rooms, surfaces, devices, panels, people and their XR devices.

These models are the `twinspace.home/1` format (spec/home-format.md) plus the live state a
hub keeps (device state, open panels, what plays where). The live parts are optional in the
file format so a plain home directory imports without them.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from twinspace.errors import InvalidInput
from twinspace.geometry import Frame, Quat, Vec3, point_in_polygon, polygon_area

FORMAT = "twinspace.home/1"

SurfaceLabel = Literal[
    "FLOOR", "CEILING", "WALL_FACE", "INVISIBLE_WALL_FACE", "TABLE", "COUCH", "BED", "STORAGE",
    "SCREEN", "LAMP", "PLANT", "WALL_ART", "DOOR_FRAME", "WINDOW_FRAME", "OTHER",
]
SURFACE_LABELS: tuple[str, ...] = SurfaceLabel.__args__  # type: ignore[attr-defined]
DeviceKind = Literal["tv", "light", "speaker", "headset", "glasses", "other"]
XRDeviceKind = Literal["headset", "glasses", "tv", "browser", "phone", "other"]
SizePreset = Literal["small", "medium", "large", "cinema"]
# What a twin is of: a household's real home, or a virtual space (a cinema, a lounge) it hosts.
# A new kind (a car cabin, a shop floor) is added here and in spaces/kinds.py (docs/spaces.md).
SpaceKindName = Literal["home", "virtual"]

Id = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s]+$")]
Positive = Annotated[float, Field(gt=0)]


class Model(BaseModel):
    """Strict base: unknown keys are errors, so a typo in a home file is reported, not lost."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Pose(Model):
    position: tuple[float, float, float]
    rotation: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)

    @field_validator("position")
    @classmethod
    def _finite(cls, v: Vec3) -> Vec3:
        if not all(math.isfinite(c) for c in v):
            raise ValueError("position must be finite numbers")
        return v

    @field_validator("rotation")
    @classmethod
    def _unit_quaternion(cls, q: Quat) -> Quat:
        norm = math.sqrt(sum(c * c for c in q))
        if not math.isfinite(norm) or abs(norm - 1) > 1e-3:
            raise ValueError(
                f"rotation must be a unit quaternion [x, y, z, w]; this one has length {norm:.4f}")
        return q

    @property
    def frame(self) -> Frame:
        return Frame(tuple(self.position), tuple(self.rotation))  # type: ignore[arg-type]


class Surface(Model):
    """A labelled plane (wall, table top, floor) or the top face of a volume (couch, bed)."""

    id: Id
    label: SurfaceLabel
    pose: Pose
    size: tuple[Positive, Positive]
    depth: Optional[Positive] = None  # volumes only: extent behind the face, along −Z
    boundary: Optional[list[tuple[float, float]]] = None  # local outline when not a rectangle

    @property
    def frame(self) -> Frame:
        return self.pose.frame


class DeviceState(Model):
    on: bool = False
    brightness: Optional[Annotated[int, Field(ge=0, le=100)]] = None
    playing: Optional[str] = None  # content ref shown on a TV or speaker
    app: Optional[str] = None
    # Reported by a device's bridge (absent on devices without one):
    volume: Optional[Annotated[int, Field(ge=0, le=100)]] = None
    muted: Optional[bool] = None
    available: Optional[bool] = None  # False while its bridge cannot reach it


class Device(Model):
    """A physical device in a room: a TV, a light, a speaker."""

    id: Id
    kind: DeviceKind
    name: str
    model: Optional[str] = None
    pose: Optional[Pose] = None
    size: Optional[tuple[Positive, Positive]] = None
    bridge: Optional[dict[str, Any]] = None
    state: Optional[DeviceState] = None  # live state; absent in a plain home file


class Room(Model):
    id: Id
    name: str
    height: Positive = 2.5
    floor: list[tuple[float, float]] = Field(min_length=3)  # outline in x/z, metres
    surfaces: list[Surface] = []
    devices: list[Device] = []

    @field_validator("floor")
    @classmethod
    def _floor_has_area(cls, pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
        if polygon_area(pts) < 0.25:
            raise ValueError("the floor outline encloses almost no area; list its corners in order")
        return pts

    @property
    def area(self) -> float:
        return polygon_area(self.floor)


class Person(Model):
    id: Id
    name: str
    max_rating: Optional[str] = None


class XRDevice(Model):
    """A person's headset, glasses or other device that joins the home."""

    id: Id
    kind: XRDeviceKind
    model: Optional[str] = None
    owner: Optional[str] = None


class App(Model):
    """An app of the household: opened in the XR space (`panel.open app:<id>`) or launched on
    a TV (`app.launch`). The one app model of the home file, the content catalogue and the
    bridges (a TV's apps join `content.apps` under the TV's ids)."""

    id: Id
    name: str = Field(min_length=1)

    @property
    def ref(self) -> str:
        return f"app:{self.id}"

    @property
    def title(self) -> str:
        return self.name

    @property
    def rating(self) -> None:
        return None

    @classmethod
    def coerce(cls, item: Any) -> "App":
        """An App from a mapping {"id", "name"} or any object with `id` and `name`."""
        if isinstance(item, App):
            return item
        data = dict(item) if isinstance(item, dict) else {"id": getattr(item, "id", None),
                                                           "name": getattr(item, "name", None)}
        try:
            return cls.model_validate(data)
        except ValueError:
            raise InvalidInput(f"an app needs a non-empty 'id' (no spaces) and 'name', and nothing else; "
                               f"got {item!r}") from None


class ContentSources(Model):
    m3u: Optional[str] = None
    xmltv: Optional[str] = None
    vod: Optional[str] = None
    apps: list[App] = []


class Panel(Model):
    """A virtual panel placed in the twin, showing a channel, title or app."""

    id: Id
    content: str
    room: str
    pose: Pose
    size: tuple[Positive, Positive]
    size_preset: SizePreset = "medium"
    surface: Optional[str] = None  # None when floating
    owner: Optional[str] = None
    created_at: Optional[datetime] = None


class Playback(Model):
    """What plays on a target (a panel or a physical device), and where it was."""

    content: str
    playing: bool = True
    position_s: float = 0.0  # at `updated_at`; advances while playing
    updated_at: Optional[datetime] = None
    volume: Annotated[int, Field(ge=0, le=100)] = 50
    muted: bool = False
    person: Optional[str] = None
    group: Optional[str] = None  # a watch group: every target with the same group plays in step


class Seat(Model):
    """A place a person sits in a space: where their avatar's head is, facing its local −Z
    (like a viewer at yaw 0), and who sits there now."""

    id: Id
    name: str
    room: str
    pose: Pose
    person: Optional[str] = None


class Home(Model):
    format: Literal["twinspace.home/1"] = FORMAT
    kind: SpaceKindName = "home"  # an extension of the format: absent in a home file means a home
    id: Id
    name: str
    host: Optional[str] = None  # a virtual space: the home on this hub whose people share it
    owner: Optional[str] = None  # person id; defaults to the first person
    people: list[Person] = []
    xr_devices: list[XRDevice] = []
    rooms: list[Room] = Field(min_length=1)
    content: ContentSources = ContentSources()
    panels: list[Panel] = []
    playback: dict[str, Playback] = {}
    seats: list[Seat] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> "Home":
        seen: dict[str, str] = {}

        def claim(kind: str, ident: str) -> None:
            if ident in seen:
                raise ValueError(f"id {ident!r} is used by both a {seen[ident]} and a {kind}; ids must be unique")
            seen[ident] = kind

        for room in self.rooms:
            claim("room", room.id)
            for s in room.surfaces:
                claim("surface", s.id)
            for d in room.devices:
                claim("device", d.id)
        for x in self.xr_devices:
            claim("XR device", x.id)
        for p in self.people:
            claim("person", p.id)
        for p in self.panels:
            claim("panel", p.id)
        rooms = {r.id for r in self.rooms}
        people = {p.id for p in self.people}
        sitting: set[str] = set()
        for seat in self.seats:
            claim("seat", seat.id)
            if seat.room not in rooms:
                raise ValueError(f"seat {seat.id!r} is in room {seat.room!r}, which is not in rooms")
            if seat.person is not None:
                if seat.person not in people:
                    raise ValueError(f"seat {seat.id!r} is taken by {seat.person!r}, who is not in people")
                if seat.person in sitting:
                    raise ValueError(f"{seat.person!r} sits in two seats; a person takes one seat")
                sitting.add(seat.person)
        if self.host is not None and self.kind == "home":
            raise ValueError("only a virtual space has a host home")
        for x in self.xr_devices:
            if x.owner is not None and x.owner not in people:
                raise ValueError(f"XR device {x.id!r} is owned by {x.owner!r}, who is not in people")
        if self.owner is not None and self.owner not in people:
            raise ValueError(f"owner {self.owner!r} is not in people")
        return self

    # --- lookups -----------------------------------------------------------------

    def room(self, room_id: str) -> Optional[Room]:
        return next((r for r in self.rooms if r.id == room_id), None)

    def surface(self, surface_id: str) -> Optional[tuple[Room, Surface]]:
        for r in self.rooms:
            for s in r.surfaces:
                if s.id == surface_id:
                    return r, s
        return None

    def device(self, device_id: str) -> Optional[tuple[Room, Device]]:
        for r in self.rooms:
            for d in r.devices:
                if d.id == device_id:
                    return r, d
        return None

    def devices(self) -> list[tuple[Room, Device]]:
        return [(r, d) for r in self.rooms for d in r.devices]

    def panel(self, panel_id: str) -> Optional[Panel]:
        return next((p for p in self.panels if p.id == panel_id), None)

    def person(self, person_id: str) -> Optional[Person]:
        return next((p for p in self.people if p.id == person_id), None)

    def xr_device(self, device_id: str) -> Optional[XRDevice]:
        return next((x for x in self.xr_devices if x.id == device_id), None)

    def seat_of(self, person_id: Optional[str]) -> Optional[Seat]:
        return next((s for s in self.seats if person_id is not None and s.person == person_id), None)

    def owner_id(self) -> Optional[str]:
        return self.owner or (self.people[0].id if self.people else None)

    def room_at(self, x: float, z: float) -> Optional[Room]:
        """The room whose floor contains the point (x, z)."""
        return next((r for r in self.rooms if point_in_polygon(x, z, r.floor)), None)

    def device_state(self, device_id: str) -> DeviceState:
        found = self.device(device_id)
        if found is None:
            raise KeyError(device_id)
        return found[1].state or DeviceState()
