"""How to add a bridge: the whole surface between the hub and a real-device integration.

An integration is a folder `bridges/<domain>/` (Home Assistant's shape: `__init__.py`,
`config_flow.py`, `coordinator.py`, `const.py`, `manifest.json`, `diagnostics.py`) whose
`__init__.py` exposes an `Integration`; list it in `bridges/registry.py`. A twin device is
bound to it by its `bridge` field (`{"type": "<domain>", ...}`); the integration's saved
entry (`bridges/entries.py`: credentials and pairing keys, kept as secrets) turns bindings
on. Everything here is plain data and protocols: no hub, no web framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Protocol

from twinspace.home.model import Device

# The device state a bridge reports: any of DeviceState's fields ("on", "brightness",
# "volume", "muted", "app", "available", ...), only those it knows.
StatePatch = dict[str, Any]
Report = Callable[[str, StatePatch], None]  # (twin device id, patch); called from the bridge's loop


@dataclass(frozen=True)
class Command:
    """What a person's action asks of a device, named after the action that asks it."""

    action: str  # "device.power", "device.light", "playback.volume", "app.launch", "playback.play"
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Discovered:
    """Something found on the network that an integration can set up."""

    domain: str
    name: str
    host: str
    port: Optional[int] = None
    properties: dict[str, str] = field(default_factory=dict)


class BridgeError(Exception):
    """A device or service refused or failed a command; the message says what to do."""


class NotConfirmed(BridgeError):
    """The device did not confirm a command (it is unreachable or did not reach the state)."""


class Bridge(Protocol):
    """A running connection to one service or device, owned by a coordinator."""

    devices: dict[str, Device]  # twin device id → device, those this bridge drives

    async def start(self, report: Report) -> None:
        """Connect in the background, keep reconnecting with backoff, and after every
        (re)connect report each device's real state (with `available`) so the twin matches it;
        report `{"available": False}` for each device while the connection is down."""

    async def stop(self) -> None:
        """Close the connection and stop reconnecting."""

    async def execute(self, device_id: str, command: Command) -> StatePatch:
        """Carry out a command and return the state the device confirmed; raise NotConfirmed
        (or BridgeError) if it did not. The caller bounds it in time."""

    def diagnostics(self) -> dict[str, Any]:
        """What support may see: connection state, devices, last error; secrets redacted."""


class Integration(Protocol):
    """One kind of bridge: how it is found, set up and started."""

    domain: str  # the `type` of a device's bridge binding
    name: str

    async def discover(self, timeout_s: float) -> list[Discovered]:
        """Look for instances on the home network (SSDP, zeroconf) for `timeout_s` seconds."""

    def create(self, home_id: str, entry: dict[str, Any], devices: list[Device]) -> list[Bridge]:
        """Bridges for a home's devices bound to this integration, from its saved entry
        (credentials, keys); devices the entry does not cover are left out."""

