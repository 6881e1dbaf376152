"""The actions' hook to real devices: carry a change out on a bridged device first.

A device with a running bridge changes in the twin only when the device confirms: the
action asks its bridge, waits (bounded, see bridges/manager.py) and writes what the device
reached. A device without one (not bound, or its bridge not set up) is the twin alone.
"""

from __future__ import annotations

from typing import Any, Optional

from twinspace.actions.registry import ActionContext
from twinspace.bridges.base import Command
from twinspace.errors import Conflict
from twinspace.home.model import Device, DeviceState, Home


def carry_out(ctx: ActionContext, device: Device, action: str, **args: Any) -> Optional[dict[str, Any]]:
    """Do `action` on the real device and return the state it confirmed (already written into
    the working twin); None when the device is not bridged. Raises DeviceNotResponding."""
    if ctx.bridges is None:
        return None
    confirmed = ctx.bridges.execute(ctx.home.id, device, Command(action, args))
    if confirmed is not None:
        state = device.state if device.state is not None else DeviceState()
        for key, value in confirmed.items():
            if key in DeviceState.model_fields:
                setattr(state, key, value)
        state.available = True
        device.state = state
    return confirmed


def on_device(ctx: ActionContext, target_id: str) -> Optional[Device]:
    """The room device a playback target is, when it has a running bridge."""
    found = ctx.home.device(target_id)
    if found is None or ctx.bridges is None or not ctx.bridges.bound(ctx.home.id, target_id):
        return None
    return found[1]


def stream_of(ctx: ActionContext, ref: str) -> Optional[str]:
    """Where a device fetches content: an on-demand title from the hub's HLS, a channel (or
    the programme on it) from its lineup URL; the bridge makes hub paths reachable."""
    kind, _, ident = ref.partition(":")
    if kind == "vod":
        return f"/media/vod/{ident}/index.m3u8"
    if ctx.services is None:
        return None
    channel = ctx.services.resolve(ctx.home.id, ref).channel
    return channel.url if channel is not None else None


def undo_leaves_devices(bridges: Any, current: Home, restored: Home) -> None:
    """Undo restores the twin, not the room: refuse one that would change a bridged device."""
    if bridges is None:
        return
    for _, device in current.devices():
        found = restored.device(device.id)
        if bridges.bound(current.id, device.id) and found is not None and found[1].state != device.state:
            raise Conflict(f"{device.name} is a real device and undo cannot move it back; "
                           f"say what it should do instead (e.g. turn it off)")
