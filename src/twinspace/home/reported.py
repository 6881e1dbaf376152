"""What a real device reports about itself, applied to the twin.

A bridge reports a patch of the device's state (`on`, `brightness`, `volume`, `muted`,
`app`, `available`; a TV adds `apps`, its app list, and `app_title`, the foreground app's
name); here it is checked and applied, with what it means for the rest of the twin: a TV
switched off at the remote pauses what played on it, its remote's volume is the session's
volume, its apps join the home's apps (matched by name to apps the home already lists), an
app taking the screen ends what the hub played there, and a renderer paused, resumed or
stopped at its own remote (`transport`) pauses, resumes or ends the hub's session there.
Plain Python on the home model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from pydantic import ValidationError

from twinspace.errors import InvalidInput, NotFound
from twinspace.home.model import App, DeviceState, Home

ACTION = "device.reported"  # the journal's name for a change that came from the device itself
FIELDS = ("on", "brightness", "volume", "muted", "app", "available")
EXTRA = ("apps", "app_title",  # a TV's app list, and the name of its foreground app
         "transport", "position_s")  # a renderer's own playing/paused/stopped, and where it paused
TRANSPORTS = ("playing", "paused", "stopped")


def apply(home: Home, device_id: str, patch: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Apply `patch` to the device in `home` (a working copy); returns the fields that changed."""
    found = home.device(device_id)
    if found is None:
        raise NotFound(f"there is no device {device_id!r} in home {home.id!r} to report on")
    device = found[1]
    unknown = set(patch) - set(FIELDS) - set(EXTRA)
    if unknown:
        raise InvalidInput(f"a device report may set {', '.join(FIELDS)}; not {', '.join(sorted(unknown))}")
    patch = dict(patch)
    added = _merge_apps(home, patch.pop("apps", None) or [])
    title = patch.pop("app_title", None)
    followed = _follow_transport(home, device_id, patch.pop("transport", None), patch.pop("position_s", None), now)
    if patch.get("app") is not None:
        patch["app"] = _home_app_id(home, patch["app"], title)
    state = device.state or DeviceState()
    changed = {k: v for k, v in patch.items() if getattr(state, k) != v}
    extra = {**({"apps": added} if added else {}), **({"transport": followed} if followed else {})}
    if not changed:
        return extra
    try:
        state = state.model_copy(update={})
        for key, value in changed.items():
            setattr(state, key, value)
    except ValidationError as e:
        raise InvalidInput(f"{device.name} reported an impossible state: {e.errors(include_url=False)[0]['msg']}") from None
    if "app" in changed and state.app is not None and state.playing is not None and not _is_player(state.app):
        state.playing = None  # the person opened another app: what the hub played there has ended
        home.playback.pop(device_id, None)
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
    return {**changed, **extra}


def _follow_transport(home: Home, device_id: str, transport: Any, position: Any, now: datetime) -> Optional[str]:
    """A renderer paused, resumed or stopped at its own remote: the hub's session there follows
    (paused at the renderer's own position when it gives one). Returns what changed, if anything."""
    if transport is None:
        return None
    if transport not in TRANSPORTS:
        raise InvalidInput(f"a device's transport is one of {', '.join(TRANSPORTS)}; not {transport!r}")
    session = home.playback.get(device_id)
    if session is None:
        return None
    from twinspace.content import playback as rules  # content rules know positions over time

    if transport == "paused" and session.playing:
        paused = rules.pause(session, now, None)
        if isinstance(position, (int, float)) and not rules.is_live(session.content):
            paused = paused.model_copy(update={"position_s": float(position)})
        home.playback[device_id] = paused
        return transport
    if transport == "playing" and not session.playing:
        home.playback[device_id] = rules.resume(session, now, None)
        return transport
    if transport == "stopped":
        del home.playback[device_id]
        found = home.device(device_id)
        if found is not None and found[1].state is not None:
            found[1].state.playing = None
        return transport
    return None


def _merge_apps(home: Home, reported: list[dict[str, Any]]) -> list[str]:
    """Add the device's apps the home does not list yet (by id or by name); returns their ids."""
    known_ids = {a.id for a in home.content.apps}
    known_names = {a.name.casefold() for a in home.content.apps}
    added = []
    for item in reported:
        app_id, name = str(item.get("id") or ""), str(item.get("name") or "")
        if not app_id or not name or app_id in known_ids or name.casefold() in known_names or " " in app_id:
            continue
        home.content.apps.append(App(id=app_id, name=name))
        known_ids.add(app_id)
        known_names.add(name.casefold())
        added.append(app_id)
    return added


def _home_app_id(home: Home, device_app: str, title: Any) -> str:
    """The home's id for the app a device shows: its own id, or the home app of the same name."""
    if any(a.id == device_app for a in home.content.apps) or not isinstance(title, str):
        return device_app
    return next((a.id for a in home.content.apps if a.name.casefold() == title.casefold()), device_app)


PLAYERS = ("mediaviewer", "mediadiscovery", "mediaplayer")  # the apps a TV plays the hub's streams in


def _is_player(app_id: str) -> bool:
    return any(p in app_id for p in PLAYERS)


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
        elif key == "apps":
            parts.append(f"new apps {', '.join(value)}")
        else:
            parts.append(f"{key} {value}")
    return f"{name} reported: {', '.join(parts)}"
