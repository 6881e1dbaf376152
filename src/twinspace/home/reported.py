"""What a real device reports about itself, applied to the twin.

A bridge reports a patch of the device's state (`on`, `brightness`, `volume`, `muted`,
`app`, `available`); here it is checked and applied, with what it means for playback: a TV
switched off at the remote pauses what played on it, its remote's volume is the session's
volume. Plain Python on the home model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from twinspace.errors import InvalidInput, NotFound
from twinspace.home.model import DeviceState, Home

ACTION = "device.reported"  # the journal's name for a change that came from the device itself
FIELDS = ("on", "brightness", "volume", "muted", "app", "available")


def apply(home: Home, device_id: str, patch: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Apply `patch` to the device in `home` (a working copy); returns the fields that changed."""
    found = home.device(device_id)
    if found is None:
        raise NotFound(f"there is no device {device_id!r} in home {home.id!r} to report on")
    device = found[1]
    unknown = set(patch) - set(FIELDS)
    if unknown:
        raise InvalidInput(f"a device report may set {', '.join(FIELDS)}; not {', '.join(sorted(unknown))}")
    state = device.state or DeviceState()
    changed = {k: v for k, v in patch.items() if getattr(state, k) != v}
    if not changed:
        return {}
    try:
        state = state.model_copy(update={})
        for key, value in changed.items():
            setattr(state, key, value)
    except ValidationError as e:
        raise InvalidInput(f"{device.name} reported an impossible state: {e.errors(include_url=False)[0]['msg']}") from None
    device.state = state
    session = home.playback.get(device_id)
    if session is not None:
        from twinspace.content import playback as rules  # content rules know positions over time

        if changed.get("on") is False and session.playing:
            home.playback[device_id] = rules.pause(session, now, None)
        if "volume" in changed or "muted" in changed:
            home.playback[device_id] = home.playback[device_id].model_copy(update={
                "volume": state.volume if state.volume is not None else session.volume,
                "muted": bool(state.muted)})
    return changed


def describe(home: Home, device_id: str, changed: dict[str, Any]) -> str:
    """'Kitchen pendant reported: on, brightness 80%' for the journal."""
    found = home.device(device_id)
    name = found[1].name if found else device_id
    if set(changed) == {"available"}:
        return f"{name} is {'available again' if changed['available'] else 'unavailable (its bridge cannot reach it)'}"
    parts = []
    for key, value in changed.items():
        if key == "on":
            parts.append("on" if value else "off")
        elif key == "brightness":
            parts.append(f"brightness {value}%")
        elif key == "available":
            parts.append("available" if value else "unavailable")
        elif key == "muted":
            parts.append("muted" if value else "unmuted")
        else:
            parts.append(f"{key} {value}")
    return f"{name} reported: {', '.join(parts)}"
