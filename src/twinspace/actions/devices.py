"""Physical device actions on the twin: power and light level.

Bridges to real TVs and lights watch the twin and carry these changes out; here the twin
records the intended state.
"""

from __future__ import annotations

from typing import Annotated, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from twinspace.actions.bridged import carry_out
from twinspace.actions.registry import ActionContext, Outcome, registry
from twinspace.content import playback as rules
from twinspace.errors import InvalidInput, NotFound
from twinspace.home.model import Device, DeviceState, Home

FULL = 100  # a light that is on without a known level is taken to be at full brightness


class DevicePowerArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device: str = Field(description="id of a physical device (TV, light, speaker)")
    on: bool


class DeviceLightArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device: str = Field(description="id of a light")
    brightness: Optional[Annotated[int, Field(ge=0, le=100, description="0-100 percent")]] = None
    delta: Optional[Annotated[int, Field(ge=-100, le=100, description="change in percent points, e.g. 20 or -20")]] = None

    @model_validator(mode="after")
    def _one_of(self) -> "DeviceLightArgs":
        if (self.brightness is None) == (self.delta is None):
            raise ValueError("give args.brightness (0-100) or args.delta (e.g. -20), one of the two")
        return self


def find_device(home: Home, device_id: str) -> Device:
    found = home.device(device_id)
    if found is None:
        names = ", ".join(f"{d.id} ({d.name})" for _, d in home.devices()) or "none"
        raise NotFound(f"there is no device {device_id!r} in this home; devices: {names}")
    return found[1]


def _state(device: Device) -> DeviceState:
    if device.state is None:
        device.state = DeviceState()
    return device.state


def _power_off_needs_confirmation(ctx: ActionContext, args: DevicePowerArgs) -> Optional[str]:
    """Switching off a screen that is showing something interrupts whoever watches it."""
    found = ctx.home.device(args.device)
    if args.on or found is None:
        return None
    device = found[1]
    playing = ctx.home.playback.get(device.id)
    if device.kind == "tv" and playing is not None and playing.playing:
        return f"{device.name} is playing {playing.content}; turn it off anyway?"
    return None


@registry.action("device.power", DevicePowerArgs, confirm=_power_off_needs_confirmation)
def device_power(ctx: ActionContext, args: DevicePowerArgs) -> Outcome:
    """Switch a physical device (TV, light, speaker) on or off."""
    device = find_device(ctx.home, args.device)
    if device.kind in ("headset", "glasses"):
        raise InvalidInput(f"{device.name} is a wearable; it cannot be switched from the hub")
    state = _state(device)
    changed = state.on != args.on
    state.on = args.on
    carry_out(ctx, device, "device.power", on=args.on)  # a bridged device must confirm first
    playing = ctx.home.playback.get(device.id)
    if not args.on and playing is not None and playing.playing:
        # A screen that is off shows nothing; keep where it was so it can resume there.
        duration = ctx.services.duration_of(ctx.home.id, playing.content) if ctx.services else None
        ctx.home.playback[device.id] = rules.pause(playing, ctx.now, duration)
        changed = True
    word = "on" if args.on else "off"
    message = f"{device.name} is {'now' if changed else 'already'} {word}"
    return Outcome("device.power", args.model_dump(), message, changed=changed)


def current_brightness(state: Optional[DeviceState]) -> int:
    """A light's level as a relative change starts from it: off is 0, on without a level is full."""
    if state is None or not state.on:
        return 0
    return state.brightness if state.brightness is not None else FULL


@registry.action("device.light", DeviceLightArgs)
def device_light(ctx: ActionContext, args: DeviceLightArgs) -> Outcome:
    """Set a light's brightness, or change it by a step (switching it on or off as needed)."""
    device = find_device(ctx.home, args.device)
    if device.kind != "light":
        raise InvalidInput(f"{device.name} is a {device.kind}, not a light; brightness applies to lights only")
    state = _state(device)
    before = current_brightness(state)
    level = args.brightness if args.brightness is not None else max(0, min(100, before + (args.delta or 0)))
    if args.delta is not None and args.delta < 0 and before > 0:
        level = max(level, 1)  # dimming never switches a light off: that is "turn it off"
    changed = (state.on, state.brightness) != (level > 0, level)
    state.brightness = level
    state.on = level > 0
    carry_out(ctx, device, "device.light", brightness=level)  # a bridged light must confirm first
    resolved = {"device": device.id, "brightness": level}
    if args.delta is not None:
        resolved["delta"] = args.delta
    word = "set to" if changed else "already at"
    return Outcome("device.light", resolved, f"{device.name} {word} {level}%", changed=changed)
