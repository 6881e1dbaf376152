"""What a client's edit to the document asks for, as actions (the table in docs/sync.md).

An edit is one entity of one root (a panel, a device, a playback entry) as the client left
it, plus which of its fields the client touched. It is compared with the hub's version of
that entity, and each touched field that differs becomes an action call. Anything the table
does not allow is refused with a reason the client can show. Plain Python: no Yjs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from twinspace.errors import InvalidInput
from twinspace.sync.shape import ROOTS, Json, Kind, same

HasAction = Callable[[str], bool]


@dataclass(frozen=True)
class Call:
    action: str
    args: dict[str, Any]
    path: str  # what the client wrote, e.g. panels/p1/pose: where a refusal is reported


class Refused(InvalidInput):
    """The edit changes something clients may not change this way."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason, path=path)
        self.path = path


def calls_for(root: str, key: str, before: Optional[Json], after: Optional[Json],
              touched: Optional[frozenset[str]], has_action: HasAction) -> list[Call]:
    """The actions that turn `before` (the hub's entity, None if absent) into `after` (the
    client's, None if deleted). `touched` names the fields the client wrote; None means the
    whole entity was added, deleted or replaced."""
    path = f"{root}/{key}"
    if ROOTS.get(root) is not Kind.ENTITIES:
        raise Refused(path, f"{root} is read-only in the live document; change it through the hub's API")
    if before is None and after is None:
        return []
    if after is None:
        if root == "panels":
            return [Call("panel.close", {"panel": key}, path)]
        raise Refused(path, f"{_noun(root)} cannot be deleted from the live document")
    if not isinstance(after, dict):
        raise Refused(path, f"{path} must be a map")
    if before is None:
        if root == "panels":
            return [_open(path, after)]
        raise Refused(path, f"{_noun(root)} cannot be added through the live document")
    fields = touched if touched is not None else frozenset(before) | frozenset(after)
    changed = {f for f in fields if not same(before.get(f), after.get(f))}
    if not changed:
        return []
    if root == "panels":
        return _panel(path, key, before, after, changed, has_action)
    if root == "devices":
        return _device(path, key, before, after, changed)
    return _playback(path, key, before, after, changed, has_action)


def _noun(root: str) -> str:
    return {"panels": "panels", "devices": "devices", "playback": "playback entries"}[root]


def _read_only(path: str, fields: set[str], hint: str) -> None:
    if fields:
        field = sorted(fields)[0]
        raise Refused(f"{path}/{field}", f"{path}/{field} is set by the hub{hint}")


def _require(path: str, action: str, has_action: HasAction) -> None:
    if not has_action(action):
        raise Refused(path, f"{path} cannot be changed on this hub yet (it has no {action} action)")


def _open(path: str, after: dict[str, Json]) -> Call:
    extra = sorted(set(after) - {"content", "placement"})
    if extra or not isinstance(after.get("content"), str):
        raise Refused(path, "a new panel is {content, placement?}; the hub chooses its id and pose"
                            + (f" (unexpected: {', '.join(extra)})" if extra else ""))
    args: dict[str, Json] = {"content": after["content"]}
    if after.get("placement") is not None:
        args["placement"] = after["placement"]
    return Call("panel.open", args, path)


def _panel(path: str, key: str, before: dict, after: dict, changed: set[str], has_action: HasAction) -> list[Call]:
    _read_only(path, changed - {"pose", "surface", "size_preset", "content"},
               "; move a panel with pose/surface and size it with size_preset")
    calls = []
    if "size_preset" in changed:
        calls.append(Call("panel.resize", {"panel": key, "size": after.get("size_preset")}, f"{path}/size_preset"))
    if changed & {"pose", "surface"}:
        pose = after.get("pose")
        if not isinstance(pose, dict):
            raise Refused(f"{path}/pose", f"{path}/pose must be {{position, rotation}}")
        args: dict[str, Json] = {"panel": key, "position": pose.get("position")}
        if pose.get("rotation") is not None:
            args["rotation"] = pose["rotation"]
        surface = after.get("surface")
        args.update({"floating": True} if surface is None else {"surface": surface})
        calls.append(Call("panel.pose", args, f"{path}/{'pose' if 'pose' in changed else 'surface'}"))
    if "content" in changed:
        _require(f"{path}/content", "playback.play", has_action)
        calls.append(Call("playback.play", {"content": after.get("content"), "target": key}, f"{path}/content"))
    return calls


def _device(path: str, key: str, before: dict, after: dict, changed: set[str]) -> list[Call]:
    _read_only(path, changed - {"state"}, "")
    old, new = before.get("state") or {}, after.get("state")
    if not isinstance(new, dict):
        raise Refused(f"{path}/state", f"{path}/state must be {{on, brightness, playing, app}}")
    fields = {f for f in old.keys() | new.keys() if not same(old.get(f), new.get(f))}
    _read_only(f"{path}/state", fields - {"on", "brightness"},
               "; play content with playback.play and apps with app.launch")
    calls = []
    if "brightness" in fields:  # before power: a light set to 0 % but left on stays on
        calls.append(Call("device.light", {"device": key, "brightness": new.get("brightness")}, f"{path}/state"))
    if "on" in fields:
        calls.append(Call("device.power", {"device": key, "on": new.get("on")}, f"{path}/state"))
    return calls


def _playback(path: str, key: str, before: dict, after: dict, changed: set[str], has_action: HasAction) -> list[Call]:
    _read_only(path, changed - {"content", "playing", "position_s", "volume", "muted"}, "")
    wanted: list[tuple[str, str, dict[str, Json]]] = []  # (field, action, args)
    if "content" in changed:
        wanted.append(("content", "playback.play", {"content": after.get("content")}))
    if "position_s" in changed:
        wanted.append(("position_s", "playback.seek", {"position_s": after.get("position_s")}))
    if "volume" in changed:
        wanted.append(("volume", "playback.volume", {"level": after.get("volume")}))
    if "muted" in changed:
        wanted.append(("muted", "playback.volume", {"mute": after.get("muted")}))
    if "playing" in changed:
        wanted.append(("playing", "playback.resume" if after.get("playing") else "playback.pause", {}))
    calls = []
    for field, action, args in wanted:
        _require(f"{path}/{field}", action, has_action)
        calls.append(Call(action, {**args, "target": key}, f"{path}/{field}"))
    return calls
