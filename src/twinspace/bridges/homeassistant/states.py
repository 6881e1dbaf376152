"""Home Assistant entity states ↔ twin device state, and actions → service calls.

Plain Python on Home Assistant's JSON (the WebSocket API's state objects)."""

from __future__ import annotations

from typing import Any, Callable, Optional

from twinspace.bridges.base import BridgeError, Command, StatePatch
from twinspace.bridges.homeassistant.const import OFF_STATES, UNAVAILABLE

State = dict[str, Any]
Wanted = Callable[[State], bool]


def domain_of(entity_id: str) -> str:
    return entity_id.partition(".")[0]


def patch_of(state: State) -> StatePatch:
    """The twin's view of an entity's state object."""
    value = state.get("state")
    if value in UNAVAILABLE:
        return {"available": False}
    attrs = state.get("attributes") or {}
    domain = domain_of(state["entity_id"])
    patch: StatePatch = {"available": True, "on": value not in OFF_STATES}
    if domain == "light" and patch["on"] and attrs.get("brightness") is not None:
        patch["brightness"] = round(attrs["brightness"] * 100 / 255)
    if domain == "media_player":
        if attrs.get("volume_level") is not None:
            patch["volume"] = round(attrs["volume_level"] * 100)
        if attrs.get("is_volume_muted") is not None:
            patch["muted"] = bool(attrs["is_volume_muted"])
    return patch


def service_for(entity_id: str, command: Command) -> tuple[str, dict[str, Any], Wanted]:
    """(service, service data, how to recognise the state it should reach) for a command."""
    domain, a = domain_of(entity_id), command.args
    is_on: Wanted = lambda s: s.get("state") not in OFF_STATES  # noqa: E731
    is_off: Wanted = lambda s: s.get("state") in ("off", "standby")  # noqa: E731
    if command.action == "device.power":
        return ("turn_on", {}, is_on) if a["on"] else ("turn_off", {}, is_off)
    if command.action == "device.light" and domain == "light":
        pct = int(a["brightness"])
        if pct == 0:
            return "turn_off", {}, is_off
        near: Wanted = lambda s: is_on(s) and abs(patch_of(s).get("brightness", -99) - pct) <= 1  # noqa: E731
        return "turn_on", {"brightness_pct": pct}, near
    if command.action == "playback.volume" and domain == "media_player":
        if a.get("mute") is not None and a.get("level") is None:
            mute = bool(a["mute"])
            return "volume_mute", {"is_volume_muted": mute}, lambda s: patch_of(s).get("muted") == mute
        level = int(a["level"])
        return "volume_set", {"volume_level": level / 100}, lambda s: patch_of(s).get("volume") == level
    if command.action in ("playback.pause", "playback.resume") and domain == "media_player":
        service, reached = ("media_pause", "paused") if command.action == "playback.pause" else ("media_play", "playing")
        return service, {}, lambda s: s.get("state") == reached
    raise BridgeError(f"{entity_id} cannot do {command.action} through Home Assistant")


def friendly_name(state: Optional[State]) -> Optional[str]:
    return None if state is None else (state.get("attributes") or {}).get("friendly_name")
