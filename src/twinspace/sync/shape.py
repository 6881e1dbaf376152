"""The shape of a home's live document (docs/sync.md), as plain data.

`project` turns a home into the document's content: for each root, a dict from key to
value. Root kinds say how a root is held in Yjs: a `FIELDS` root is one Y.Map of scalars,
a `VALUES` root maps keys to plain JSON, an `ENTITIES` root maps keys to a nested Y.Map
whose fields clients may edit one at a time. Plain Python: no Yjs here.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Any

from twinspace.home.model import DeviceState, Home

Json = Any
Snapshot = dict[str, dict[str, Json]]  # root name → key → value


class Kind(Enum):
    FIELDS = "fields"
    VALUES = "values"
    ENTITIES = "entities"


ROOTS: dict[str, Kind] = {
    "home": Kind.FIELDS,
    "rooms": Kind.VALUES,
    "devices": Kind.ENTITIES,
    "panels": Kind.ENTITIES,
    "playback": Kind.ENTITIES,
    "people": Kind.VALUES,
    "xr_devices": Kind.VALUES,
    "seats": Kind.VALUES,  # a space's seats and who sits in them (docs/spaces.md)
}
LOG = "log"  # a Y.Array of entries, written by the hub only
LOG_KEEP = 50


def project(home: Home, version: int) -> Snapshot:
    """The document's content for `home` at `version`."""
    d = home.model_dump(mode="json")
    return {
        "home": {"id": home.id, "name": home.name, "kind": home.kind, "owner": home.owner_id(),
                 "version": version},
        "rooms": {r["id"]: {k: r[k] for k in ("id", "name", "height", "floor", "surfaces")} for r in d["rooms"]},
        "devices": {dev["id"]: {"id": dev["id"], "room": room["id"], "kind": dev["kind"], "name": dev["name"],
                                "model": dev["model"], "pose": dev["pose"], "size": dev["size"],
                                "state": dev["state"] or DeviceState().model_dump(mode="json")}
                    for room in d["rooms"] for dev in room["devices"]},
        "panels": {p["id"]: {k: p[k] for k in ("id", "content", "room", "surface", "pose", "size", "size_preset",
                                               "owner", "created_at")} for p in d["panels"]},
        "playback": {target: {k: pb[k] for k in ("content", "playing", "position_s", "updated_at", "volume",
                                                  "muted", "person", "group")} for target, pb in d["playback"].items()},
        "people": {p["id"]: {"id": p["id"], "name": p["name"]} for p in d["people"]},
        "xr_devices": {x["id"]: {k: x[k] for k in ("id", "kind", "model", "owner")} for x in d["xr_devices"]},
        "seats": {s["id"]: s for s in d["seats"]},
    }


def same(a: Json, b: Json) -> bool:
    """JSON equality as Yjs sees it: 1 and 1.0 are the same number, True and 1 are not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def changed_keys(old: dict[str, Json], new: dict[str, Json]) -> list[str]:
    """Keys added, removed or changed between two versions of a root (two `project`s).

    Python's == settles most keys at C speed (this runs over the whole home on every
    delivery). Between two projections each field keeps its JSON type, so where == finds
    two values equal so would `same`; where it does not (1 and 1.0 nested, NaN), `same` decides."""
    return sorted(k for k in old.keys() | new.keys()
                  if k not in old or k not in new or (old[k] != new[k] and not same(old[k], new[k])))
