"""The connection to one LG TV: owns the aiowebostv client, reconnects with backoff (a TV
that sleeps or is unplugged is unavailable until it answers again), reports power, volume,
mute and the foreground app as the TV's subscriptions push them, keeps the TV's app list
in the home's apps, and confirms each command by the state the TV reaches."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Optional

from aiowebostv import WebOsClient
from aiowebostv.exceptions import WebOsTvCommandError, WebOsTvPairError
from aiowebostv.models import WebOsTvState

from twinspace.bridges.base import BridgeError, Command, NotConfirmed, StatePatch
from twinspace.bridges.connection import Backoff, Supervised
from twinspace.bridges.media import device_url
from twinspace.bridges.webos.const import ISSUE_718, MEDIA_VIEWER_OPEN, NAME, POWER_ON_TIMEOUT_S, WOL_PORT
from twinspace.home.model import Device

log = logging.getLogger(__name__)

Wanted = Callable[[WebOsTvState], bool]


def pairing_refused_message(host: str, detail: str = "") -> str:
    return (f"the TV at {host} refused pairing{f' ({detail})' if detail else ''}. Accept the prompt on the TV's "
            f"screen, then pair again with `twinspace bridge webos pair`. If no prompt appeared: {ISSUE_718}; "
            f"twinspace uses aiowebostv 0.10 or later, which registers without that signature, so update the "
            f"TV's software and check that 'LG Connect Apps' is on")


class WebOsBridge(Supervised):
    def __init__(self, home_id: str, device: Device, entry: dict[str, Any], *,
                 backoff: Optional[Backoff] = None) -> None:
        self.home_id = home_id
        self.device = device
        self.devices = {device.id: device}
        self.host: str = entry["host"]
        self.label = f"{NAME} {self.host}"
        self._client_key: Optional[str] = entry.get("client_key")
        self.mac: Optional[str] = entry.get("mac")
        self.hub_url: Optional[str] = entry.get("hub_url")
        self._media_token: Optional[str] = entry.get("media_token")
        self.wol = entry.get("wol") or {"ip": "255.255.255.255", "port": WOL_PORT}
        self.backoff = backoff or Backoff(initial_s=2.0, cap_s=60.0)
        self.last_error: Optional[str] = None
        self.connects = 0
        self.app_names: dict[str, str] = {}  # TV app id → its title
        self._client: Optional[WebOsClient] = None
        self._waiters: list[tuple[Wanted, asyncio.Future]] = []
        self._connected = asyncio.Event()
        self._reported_apps: Optional[list] = None

    # --- connection --------------------------------------------------------------------

    async def _session(self) -> None:
        client = WebOsClient(self.host, self._client_key)
        try:
            try:
                await client.connect()
            except WebOsTvPairError as e:
                raise BridgeError(pairing_refused_message(self.host, str(e))) from None
            if client.client_key != self._client_key:  # the TV asked again and the person accepted
                log.info("%s: the TV issued a new client key", self.host)
                self._client_key = client.client_key
            self._client, self.last_error = client, None
            self.connects += 1
            self.backoff.reset()
            self._connected.set()
            await client.register_state_update_callback(self._on_state)  # reports the state it has now
            if client.connect_task is not None:
                await asyncio.shield(client.connect_task)  # ends when the TV goes away
        finally:
            self._client = None
            self._connected.clear()
            await client.disconnect()

    def _down(self, error: Optional[BaseException]) -> None:
        self._client = None
        self._connected.clear()
        self.last_error = str(error) if error else "the TV closed the connection (switched off or unplugged)"
        for _, future in self._waiters:
            if not future.done():
                future.set_exception(NotConfirmed(f"the TV at {self.host} went away ({self.last_error})"))
        self._waiters.clear()
        self._report(self.device.id, {"available": False, "on": False})

    # --- state ---------------------------------------------------------------------------

    async def _on_state(self, tv: WebOsTvState) -> None:
        if self._client is None or self._client.connection is None:
            return  # the state aiowebostv clears while closing; _down reports that
        self.app_names = {app_id: app.get("title") or app_id for app_id, app in tv.apps.items()}
        patch: StatePatch = {"available": True, "on": tv.is_on}
        if tv.volume is not None:
            patch["volume"] = tv.volume
        if tv.muted is not None:
            patch["muted"] = tv.muted
        if tv.current_app_id:
            patch["app"] = tv.current_app_id
            patch["app_title"] = self.app_names.get(tv.current_app_id)
        apps = sorted(({"id": i, "name": n} for i, n in self.app_names.items()), key=lambda a: a["id"])
        if apps and apps != self._reported_apps:
            patch["apps"] = apps
            self._reported_apps = apps
        self._report(self.device.id, patch)
        for wanted, future in list(self._waiters):
            if wanted(tv) and not future.done():
                future.set_result(tv)

    def _patch(self, tv: WebOsTvState) -> StatePatch:
        patch: StatePatch = {"on": tv.is_on, "available": True}
        for key, value in (("volume", tv.volume), ("muted", tv.muted), ("app", tv.current_app_id)):
            if value is not None:
                patch[key] = value
        return patch

    async def _until(self, wanted: Wanted) -> StatePatch:
        client = self._client
        if client is not None and wanted(client.tv_state):
            return self._patch(client.tv_state)
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        entry = (wanted, future)
        self._waiters.append(entry)
        try:
            return self._patch(await future)
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    # --- commands ------------------------------------------------------------------------

    def timeout_for(self, command: Command) -> Optional[float]:
        """Waking a TV that sleeps takes longer than the usual limit."""
        if command.action == "device.power" and command.args.get("on") and self._client is None and self.mac:
            return POWER_ON_TIMEOUT_S
        return None

    async def execute(self, device_id: str, command: Command) -> StatePatch:
        try:
            return await self._execute(command)
        except asyncio.CancelledError:
            # aiowebostv cancels requests in flight when the TV goes away; our own cancellation
            # (the caller's time limit) is told apart by the task being asked to cancel.
            if asyncio.current_task().cancelling():
                raise
            raise NotConfirmed(f"the TV at {self.host} went away before it answered") from None

    async def _execute(self, command: Command) -> StatePatch:
        a = command.args
        if command.action == "device.power":
            return await (self._power_on() if a["on"] else self._power_off())
        client = self._require()
        try:
            if command.action == "playback.volume":
                if a.get("level") is not None:
                    level = int(a["level"])
                    await client.set_volume(level)
                    if a.get("mute") is None:
                        return await self._until(lambda tv: tv.volume == level)
                if a.get("mute") is not None:
                    mute = bool(a["mute"])
                    await client.set_mute(mute)
                    return await self._until(lambda tv: tv.muted == mute)
            if command.action == "app.launch":
                app_id = self.tv_app_id(a["app"], a.get("name"))
                await client.launch_app(app_id)
                reached = await self._until(lambda tv: tv.current_app_id == app_id)
                return {**reached, "app": a["app"]}  # the home's id for it
            if command.action == "playback.stop":
                if client.tv_state.current_app_id and "media" in client.tv_state.current_app_id:
                    viewer = client.tv_state.current_app_id
                    await client.close()
                    return await self._until(lambda tv: tv.current_app_id != viewer)
                return self._patch(client.tv_state)
            if command.action in ("playback.pause", "playback.resume"):
                pause = command.action == "playback.pause"
                await (client.pause() if pause else client.play())
                want = "paused" if pause else "playing"
                return await self._until(lambda tv: any(m.get("playState") == want for m in tv.media_state))
            if command.action == "playback.play":
                opened = await client.request(MEDIA_VIEWER_OPEN, {
                    "target": self.media_url(a["url"]), "title": a.get("title") or "", "description": "",
                    "mimeType": a.get("mime") or "application/x-mpegURL", "iconSrc": "", "loop": False})
                viewer = opened.get("id")
                return await self._until(lambda tv: tv.current_app_id == viewer and any(
                    m.get("playState") == "playing" for m in tv.media_state))
        except WebOsTvCommandError as e:
            raise BridgeError(f"the TV refused {command.action}: {e}") from None
        raise BridgeError(f"an LG TV cannot do {command.action} from twinspace")

    def _require(self) -> WebOsClient:
        client = self._client
        if client is None or not client.is_connected():
            raise NotConfirmed(f"the TV at {self.host} is not connected ({self.last_error or 'connecting'})")
        return client

    async def _power_on(self) -> StatePatch:
        client = self._client
        if client is not None and client.is_connected():
            try:
                if not client.tv_state.is_on or not client.tv_state.is_screen_on:
                    await client.power_on()
                return await self._until(lambda tv: tv.is_on)
            except (WebOsTvCommandError, NotConfirmed):
                pass  # the connection closed under us as the TV went to sleep: wake it instead
        if not self.mac:
            raise NotConfirmed(f"the TV at {self.host} is asleep or unplugged, and without its MAC address it cannot "
                               f"be woken (pair again, or give --mac, with the TV on)")
        from wakeonlan import wake

        wake(self.mac, host=self.wol["ip"], port=int(self.wol["port"]))
        while True:  # bounded by the manager's power-on limit
            await self._connected.wait()
            try:
                return await self._until(lambda tv: tv.is_on)
            except NotConfirmed:
                await asyncio.sleep(0.05)  # the old connection ending, not the woken TV's answer

    async def _power_off(self) -> StatePatch:
        client = self._client
        if client is None or not client.is_connected() or not client.tv_state.is_on:
            return {"on": False}  # a TV that does not answer is not on
        await client.power_off()
        try:
            return await self._until(lambda tv: not tv.is_on)
        except NotConfirmed:
            return {"on": False}  # a TV closes the connection as it switches off, maybe before saying so

    # --- apps and media ------------------------------------------------------------------

    def tv_app_id(self, app: str, name: Optional[str]) -> str:
        """The TV's id for a home app: the same id, else the TV app with the same name."""
        if app in self.app_names:
            return app
        wanted = (name or app).casefold()
        for app_id, title in self.app_names.items():
            if title.casefold() == wanted:
                return app_id
        raise BridgeError(f"the TV has no app {name or app!r}; its apps: {', '.join(sorted(self.app_names.values()))}")

    def media_url(self, url: str) -> str:
        """What the TV fetches (bridges/media.py)."""
        return device_url(url, self.hub_url, self._media_token, who="the TV", how_to_fix="pair again with --hub-url")

    def diagnostics(self) -> dict[str, Any]:
        from twinspace.bridges.webos.diagnostics import diagnostics

        return diagnostics(self)
