"""The hub's side of the bridges: one asyncio loop, in a thread of its own, runs every bridge.

Actions run in the hub's threads and block here until the device confirms or the time runs
out (`execute`), so a bound device's twin state changes only with the device's word. What
devices report is handed to one reporter thread that applies it through `Hub.report` in
order; that thread never holds up the bridges' loop, so a command waiting for its
confirmation and the report carrying it never wait on each other.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import CancelledError
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, Optional

from twinspace.bridges.base import Bridge, BridgeError, Command, NotConfirmed, StatePatch
from twinspace.bridges.entries import Entries
from twinspace.bridges.registry import INTEGRATIONS, integration
from twinspace.errors import Conflict, DeviceNotResponding, TwinspaceError

log = logging.getLogger(__name__)

CONFIRM_TIMEOUT_S = 2.0


class BridgeManager:
    def __init__(self, hub: Any, data_dir: Path, *, timeout_s: float = CONFIRM_TIMEOUT_S) -> None:
        self.hub = hub
        self.entries = Entries(data_dir)
        self.timeout_s = timeout_s
        self._bridges: dict[tuple[str, str], Bridge] = {}  # (home, device) → its bridge
        self._running: dict[str, list[Bridge]] = {}  # home → its bridges
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._reporter = ThreadPoolExecutor(1, thread_name_prefix="bridge-reports")
        self._emitting = threading.Lock()
        self._emitted = 0  # reports numbered so far
        self._fence: dict[tuple[str, str], int] = {}  # (home, device) → last report older than its last confirmation

    # --- lifetime ----------------------------------------------------------------------

    def start(self) -> "BridgeManager":
        ready = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="bridges", daemon=True)
        self._thread.start()
        ready.wait()
        for home_id in self.hub.home_ids():
            self.load(home_id)
        return self

    def stop(self) -> None:
        for home_id in list(self._running):
            self._stop_home(home_id)
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._reporter.shutdown(wait=True)

    def _call(self, coro: Any, timeout: Optional[float] = 10.0) -> Any:
        assert self._loop is not None, "the bridge manager is not started"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def load(self, home_id: str) -> list[str]:
        """(Re)start a home's bridges from its bound devices and saved entries; returns the
        domains started. A binding without a saved entry is not set up and stays twin-only."""
        self._stop_home(home_id)
        by_domain: dict[str, list] = {}
        for _, device in self.hub.home(home_id).devices():
            domain = (device.bridge or {}).get("type")
            if domain in INTEGRATIONS:
                by_domain.setdefault(domain, []).append(device)
            elif domain is not None:
                log.warning("%s: device %s is bound to unknown bridge %r", home_id, device.id, domain)
        started = []
        for domain, devices in by_domain.items():
            entry = self.entries.load(home_id, domain)
            if entry is None:
                continue
            for bridge in integration(domain).create(home_id, entry, devices):
                self._running.setdefault(home_id, []).append(bridge)
                for device_id in bridge.devices:
                    self._bridges[(home_id, device_id)] = bridge
                self._call(bridge.start(self._reporter_for(home_id, domain)))
            started.append(domain)
        return started

    def _stop_home(self, home_id: str) -> None:
        for bridge in self._running.pop(home_id, []):
            try:
                self._call(bridge.stop())
            except Exception:  # noqa: BLE001 - stopping must go on for the others
                log.exception("stopping a bridge of %s failed", home_id)
        for key in [k for k in self._bridges if k[0] == home_id]:
            del self._bridges[key]

    # --- commands and reports ----------------------------------------------------------

    def bound(self, home_id: str, device_id: str) -> bool:
        return (home_id, device_id) in self._bridges

    def execute(self, home_id: str, device: Any, command: Command) -> Optional[StatePatch]:
        """Carry `command` out on `device` and return the state it confirmed; None when the
        device has no running bridge. Raises DeviceNotResponding, and marks the device
        unavailable, when it does not confirm within the time limit."""
        bridge = self._bridges.get((home_id, device.id))
        if bridge is None:
            return None
        what = describe(command)
        limit = getattr(bridge, "timeout_for", lambda _: None)(command) or self.timeout_s

        async def confirmed() -> tuple[StatePatch, int]:
            patch = await asyncio.wait_for(bridge.execute(device.id, command), limit)
            return patch, self._emitted  # reports emitted before now describe an older state

        try:
            patch, emitted = self._call(confirmed(), limit + 0.5)
            self._fence[(home_id, device.id)] = emitted  # set while the action still holds the home
            return patch
        except (asyncio.TimeoutError, FutureTimeout):
            why = f"no confirmation within {limit:g} s"
        except NotConfirmed as e:
            why = str(e)
        except BridgeError as e:  # it answered, and refused: it is there, so it stays available
            raise Conflict(f"{device.name} could not {what}: {e}") from None
        except CancelledError:
            why = "its bridge stopped while waiting"
        self.report(home_id, device.id, {"available": False}, "bridge")
        raise DeviceNotResponding(
            f"{device.name} did not {what}: {why}. It is marked unavailable until it answers again; "
            f"the twin still shows its last confirmed state", device=device.id)

    def _reporter_for(self, home_id: str, domain: str):  # noqa: ANN202
        return lambda device_id, patch: self.report(home_id, device_id, patch, domain)

    def report(self, home_id: str, device_id: str, patch: StatePatch, source: str) -> None:
        """Queue a device's reported state for the hub (thread-safe, never blocks). Reports are
        numbered as the bridges emit them, on the bridges' loop or in a failed command's thread."""
        with self._emitting:
            self._emitted += 1
            seq = self._emitted
        self._reporter.submit(self._apply_report, home_id, device_id, dict(patch), source, seq)

    def _apply_report(self, home_id: str, device_id: str, patch: StatePatch, source: str, seq: int) -> None:
        key = (home_id, device_id)
        try:
            self.hub.report(home_id, device_id, patch, source=source,
                            superseded=lambda: seq <= self._fence.get(key, 0))
        except TwinspaceError as e:
            log.warning("%s/%s: report from %s not applied: %s", home_id, device_id, source, e.detail)
        except Exception:  # noqa: BLE001 - one bad report must not stop the reporter
            log.exception("%s/%s: report from %s failed", home_id, device_id, source)

    def settle(self, timeout_s: float = 5.0) -> None:
        """Wait until every report queued so far is applied (for tests and the CLI)."""
        self._reporter.submit(lambda: None).result(timeout_s)

    def diagnostics(self, home_id: str) -> list[dict[str, Any]]:
        return [b.diagnostics() for b in self._running.get(home_id, [])]


def describe(command: Command) -> str:
    """'switch on', 'set brightness to 30%', … for error messages."""
    a = command.args
    match command.action:
        case "device.power":
            return "switch on" if a.get("on") else "switch off"
        case "device.light":
            return f"set its brightness to {a.get('brightness')}%"
        case "playback.volume":
            return "mute" if a.get("mute") else f"set its volume to {a.get('level')}"
        case "playback.stop":
            return "stop playing"
        case "app.launch":
            return f"launch {a.get('name') or a.get('app')}"
        case "playback.play":
            return f"start playing {a.get('title') or a.get('content')}"
    return f"do {command.action}"


def install_bridges(app: Any, hub: Any) -> None:
    """Run the home's bridges for the server's lifetime (a lifespan hook of server/app.py)."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_app: Any):  # noqa: ANN202
        manager = await asyncio.to_thread(BridgeManager(hub, Path(hub.store.path).parent).start)
        hub.bridges = manager
        try:
            yield
        finally:
            hub.bridges = None
            await asyncio.to_thread(manager.stop)

    app.state.lifespan_hooks.append(lifespan)
