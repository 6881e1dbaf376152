"""The connection to one Home Assistant: owns the WebSocket client (hass-client), keeps it up
with backoff, reconciles every bound entity after each (re)connect, pushes state_changed
events to the twin and confirms service calls by the state they reach."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional
from urllib.parse import urlsplit

import aiohttp
from hass_client import HomeAssistantClient
from hass_client.exceptions import AuthenticationFailed, BaseHassClientError, FailedCommand

from twinspace.bridges.base import BridgeError, Command, NotConfirmed, StatePatch
from twinspace.bridges.connection import Backoff, Supervised
from twinspace.bridges.homeassistant.const import NAME, WEBSOCKET_PATH
from twinspace.bridges.homeassistant.states import State, Wanted, patch_of, service_for
from twinspace.home.model import Device

log = logging.getLogger(__name__)


def websocket_url(url: str) -> str:
    """http://ha.local:8123 → ws://ha.local:8123/api/websocket (wss for https)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        raise BridgeError(f"{url!r} is not a Home Assistant address; give one like http://homeassistant.local:8123")
    scheme = "wss" if parts.scheme in ("https", "wss") else "ws"
    path = parts.path.rstrip("/")
    if not path.endswith(WEBSOCKET_PATH):
        path += WEBSOCKET_PATH
    return f"{scheme}://{parts.netloc}{path}"


def refused_token_message(url: str) -> str:
    return (f"{NAME} at {url} refused the access token; create a long-lived token in your Home Assistant "
            f"profile (Security → Long-lived access tokens) and run `twinspace bridge homeassistant` again")


class HomeAssistantBridge(Supervised):
    def __init__(self, home_id: str, url: str, token: str, devices: list[Device], *,
                 backoff: Optional[Backoff] = None) -> None:
        self.home_id = home_id
        self.url = url
        self.label = f"{NAME} {url}"
        self._token = token
        self.devices = {d.id: d for d in devices}
        self.entity_of = {d.id: d.bridge["entity"] for d in devices}
        self.device_of = {e: d for d, e in self.entity_of.items()}
        self.states: dict[str, State] = {}
        self.backoff = backoff or Backoff(initial_s=1.0, cap_s=30.0)
        self.last_error: Optional[str] = None
        self.connects = 0
        self._client: Optional[HomeAssistantClient] = None
        self._waiters: list[tuple[str, Wanted, asyncio.Future]] = []

    # --- connection --------------------------------------------------------------------

    async def _session(self) -> None:
        async with aiohttp.ClientSession() as http:
            client = HomeAssistantClient(websocket_url(self.url), self._token, http)
            try:
                await client.connect()
            except AuthenticationFailed:
                raise BridgeError(refused_token_message(self.url)) from None
            listener = asyncio.create_task(client.start_listening())
            try:
                # Subscribe before reading the states, so no change falls between the two.
                await client.subscribe_events(self._on_event, "state_changed")
                states = await client.get_states()
                self._client, self.last_error = client, None
                self.connects += 1
                self.backoff.reset()
                for state in states:
                    if state["entity_id"] in self.device_of:
                        self._update(state)
                for entity, device_id in self.device_of.items():
                    if entity not in self.states:
                        self._report(device_id, {"available": False})
                        log.warning("%s has no entity %s (bound to %s)", self.url, entity, device_id)
                await listener
            finally:
                self._client = None
                listener.cancel()
                await asyncio.gather(listener, return_exceptions=True)
                await client.disconnect()

    def _down(self, error: Optional[BaseException]) -> None:
        self._client = None
        self.last_error = str(error) if error else "the connection closed"
        for _, _, future in self._waiters:
            if not future.done():
                future.set_exception(NotConfirmed(f"the connection to {NAME} was lost ({self.last_error})"))
        self._waiters.clear()
        self.states.clear()
        for device_id in self.devices:
            self._report(device_id, {"available": False})

    # --- state ---------------------------------------------------------------------------

    def _on_event(self, event: dict[str, Any]) -> None:
        data = event.get("data") or {}
        new = data.get("new_state")
        if data.get("entity_id") in self.device_of and new is not None:
            self._update(new)

    def _update(self, state: State) -> None:
        entity = state["entity_id"]
        self.states[entity] = state
        self._report(self.device_of[entity], patch_of(state))
        for waiter in list(self._waiters):
            if waiter[0] == entity and waiter[1](state) and not waiter[2].done():
                waiter[2].set_result(state)

    # --- commands ------------------------------------------------------------------------

    async def execute(self, device_id: str, command: Command) -> StatePatch:
        client = self._client
        if client is None or not client.connected:
            raise NotConfirmed(f"{NAME} at {self.url} is not connected ({self.last_error or 'connecting'})")
        entity = self.entity_of[device_id]
        service, data, wanted = service_for(entity, command)
        domain = entity.partition(".")[0]
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        waiter = (entity, wanted, future)
        self._waiters.append(waiter)
        try:
            try:
                await client.call_service(domain, service, data, target={"entity_id": entity})
            except FailedCommand as e:
                raise BridgeError(f"{NAME} refused {domain}.{service} for {entity}: {e}") from None
            except asyncio.CancelledError:
                # The listener cancels calls in flight when the line drops; our own cancellation
                # (the caller's time limit) is told apart by the task being asked to cancel.
                if not asyncio.current_task().cancelling():
                    raise NotConfirmed(f"the connection to {NAME} dropped before it answered {domain}.{service}") from None
                raise
            except BaseHassClientError as e:
                raise NotConfirmed(f"{NAME} did not take {domain}.{service}: {e}") from None
            current = self.states.get(entity)
            if current is not None and wanted(current):
                return patch_of(current)
            return patch_of(await future)  # the state_changed event that confirms it
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def diagnostics(self) -> dict[str, Any]:
        from twinspace.bridges.homeassistant.diagnostics import diagnostics

        return diagnostics(self)
