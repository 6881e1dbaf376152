"""A fake Home Assistant on loopback: its WebSocket API (auth_required → auth → auth_ok,
get_states, get_config, subscribe_events/state_changed, call_service, the area and entity
registries) and the REST API's states and services, with an area, lights and a media player.

It runs in a thread with its own event loop; the test drives it from outside: `set_state`
is someone switching a light at the wall, `unplug`/`plug` pull the network cable, `hang`
makes it take service calls without answering.
"""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from aiohttp import WSMsgType, web

from doubles.loopback import LoopbackServer

VERSION = "2026.11.3"
TOKEN = "long-lived-token-for-tests"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _context() -> dict[str, Any]:
    return {"id": uuid.uuid4().hex[:26].upper(), "parent_id": None, "user_id": None}


def default_entities() -> dict[str, dict[str, Any]]:
    return {
        "light.kitchen_pendant": {"state": "off", "attributes": {
            "friendly_name": "Kitchen pendant", "supported_color_modes": ["brightness"], "color_mode": None,
            "brightness": None, "supported_features": 0}},
        "light.kitchen_counter": {"state": "off", "attributes": {
            "friendly_name": "Counter lights", "supported_color_modes": ["onoff"], "supported_features": 0}},
        "media_player.kitchen_speaker": {"state": "idle", "attributes": {
            "friendly_name": "Kitchen speaker", "volume_level": 0.3, "is_volume_muted": False,
            "supported_features": 152461}},
        "sensor.kitchen_temperature": {"state": "21.5", "attributes": {
            "friendly_name": "Kitchen temperature", "unit_of_measurement": "°C"}},
    }


class FakeHomeAssistant(LoopbackServer):
    def __init__(self, host: str = "127.0.0.1", token: str = TOKEN) -> None:
        super().__init__("fake-home-assistant")
        self.host = host
        self.token = token
        with socket.socket() as s:
            s.bind((host, 0))
            self.port = s.getsockname()[1]
        self.areas = [{"area_id": "kitchen", "name": "Kitchen", "aliases": [], "floor_id": None, "icon": None,
                       "labels": [], "picture": None}]
        self.entity_areas = {e: "kitchen" for e in default_entities()}
        self.states: dict[str, dict[str, Any]] = {}
        for entity, s in default_entities().items():
            self._write(entity, s["state"], s["attributes"])
        self.calls: list[dict[str, Any]] = []  # every call_service received, in order
        self.hang = False
        self._subscribers: dict[web.WebSocketResponse, set[int]] = {}

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/api/websocket", self._websocket)
        app.router.add_get("/api/", self._rest_root)
        app.router.add_get("/api/states", self._rest_states)
        app.router.add_post("/api/services/{domain}/{service}", self._rest_service)

    # --- the house -------------------------------------------------------------------------

    def _write(self, entity: str, state: str, attributes: dict[str, Any]) -> tuple[Optional[dict], dict]:
        old = self.states.get(entity)
        now = _now()
        new = {"entity_id": entity, "state": state, "attributes": dict(attributes),
               "last_changed": now if old is None or old["state"] != state else old["last_changed"],
               "last_reported": now, "last_updated": now, "context": _context()}
        self.states[entity] = new
        return old, new

    def set_state(self, entity: str, state: str, **attributes: Any) -> None:
        """Change an entity as its device would (a wall switch, a remote) and tell subscribers."""
        def change() -> None:
            attrs = {**self.states[entity]["attributes"], **attributes}
            self._changed(entity, *self._write(entity, state, attrs))
        self._loop.call_soon_threadsafe(change)

    def _changed(self, entity: str, old: Optional[dict], new: dict) -> None:
        event = {"event_type": "state_changed", "data": {"entity_id": entity, "old_state": old, "new_state": new},
                 "origin": "LOCAL", "time_fired": new["last_updated"], "context": new["context"]}
        for ws, subscriptions in list(self._subscribers.items()):
            for sub in subscriptions:
                asyncio.ensure_future(self._send(ws, {"id": sub, "type": "event", "event": event}))

    async def _send(self, ws: web.WebSocketResponse, message: dict[str, Any]) -> None:
        if not ws.closed:
            await ws.send_str(json.dumps(message))

    def call(self, domain: str, service: str, data: dict[str, Any], entities: list[str]) -> None:
        """Carry out a service call the way Home Assistant's light/media_player services do."""
        for entity in entities:
            if entity not in self.states or entity.partition(".")[0] != domain:
                raise LookupError(f"Entity {entity} not found or not a {domain}")
            current = self.states[entity]
            attrs = dict(current["attributes"])
            state = current["state"]
            if domain == "light" and service in ("turn_on", "toggle") and not (service == "toggle" and state == "on"):
                state = "on"
                if "brightness_pct" in data:
                    attrs["brightness"] = round(int(data["brightness_pct"]) * 255 / 100)
                elif "brightness" in data:
                    attrs["brightness"] = int(data["brightness"])
                elif attrs.get("brightness") is None and "brightness" in attrs.get("supported_color_modes", []):
                    attrs["brightness"] = 255
                if "brightness" in attrs.get("supported_color_modes", []):
                    attrs["color_mode"] = "brightness"
            elif domain == "light" and service in ("turn_off", "toggle"):
                state = "off"
                attrs["brightness"] = None if "brightness" in attrs else attrs.get("brightness")
                attrs["color_mode"] = None
            elif domain == "media_player" and service == "turn_on":
                state = "idle"
            elif domain == "media_player" and service == "turn_off":
                state = "off"
            elif domain == "media_player" and service == "volume_set":
                attrs["volume_level"] = float(data["volume_level"])
            elif domain == "media_player" and service == "volume_mute":
                attrs["is_volume_muted"] = bool(data["is_volume_muted"])
            elif domain == "media_player" and service in ("media_pause", "media_play") and state != "off":
                state = "paused" if service == "media_pause" else "playing"
            else:
                raise LookupError(f"Service {domain}.{service} not found.")
            if state != current["state"] or attrs != current["attributes"]:
                self._changed(entity, *self._write(entity, state, attrs))

    # --- WebSocket API -------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            await ws.send_json({"type": "auth_required", "ha_version": VERSION})
            auth = await ws.receive_json(timeout=10)
            if auth.get("type") != "auth" or auth.get("access_token") != self.token:
                await ws.send_json({"type": "auth_invalid", "message": "Invalid access token or password"})
                await ws.close()
                return ws
            await ws.send_json({"type": "auth_ok", "ha_version": VERSION})
            self._subscribers[ws] = set()
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                await self._command(ws, json.loads(msg.data))
        finally:
            self._sockets.discard(ws)
            self._subscribers.pop(ws, None)
        return ws

    async def _command(self, ws: web.WebSocketResponse, msg: dict[str, Any]) -> None:
        mid, kind = msg.get("id"), msg.get("type")

        async def ok(result: Any = None) -> None:
            await self._send(ws, {"id": mid, "type": "result", "success": True, "result": result})

        async def error(code: str, message: str) -> None:
            await self._send(ws, {"id": mid, "type": "result", "success": False,
                                  "error": {"code": code, "message": message}})

        if kind == "get_states":
            await ok(list(self.states.values()))
        elif kind == "get_config":
            await ok({"location_name": "Test home", "version": VERSION, "state": "RUNNING", "components": []})
        elif kind == "subscribe_events":
            self._subscribers[ws].add(mid)
            await ok()
        elif kind == "unsubscribe_events":
            self._subscribers[ws].discard(msg.get("subscription"))
            await ok()
        elif kind == "config/area_registry/list":
            await ok(self.areas)
        elif kind == "config/entity_registry/list":
            await ok([{"entity_id": e, "area_id": self.entity_areas.get(e), "device_id": None, "name": None,
                       "original_name": self.states[e]["attributes"].get("friendly_name"), "platform": "demo",
                       "disabled_by": None, "hidden_by": None} for e in self.states])
        elif kind == "call_service":
            self.calls.append(msg)
            if self.hang:
                return  # took the call, never answers
            target = (msg.get("target") or {}).get("entity_id") or (msg.get("service_data") or {}).get("entity_id")
            entities = [target] if isinstance(target, str) else list(target or [])
            try:
                self.call(msg["domain"], msg["service"], msg.get("service_data") or {}, entities)
            except LookupError as e:
                await error("not_found", str(e))
                return
            await ok({"context": _context(), "response": None})
        elif kind == "ping":
            await self._send(ws, {"id": mid, "type": "pong"})
        else:
            await error("unknown_command", "Unknown command.")

    # --- REST API ------------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            raise web.HTTPUnauthorized(text="401: Unauthorized")

    async def _rest_root(self, request: web.Request) -> web.Response:
        self._authorized(request)
        return web.json_response({"message": "API running."})

    async def _rest_states(self, request: web.Request) -> web.Response:
        self._authorized(request)
        return web.json_response(list(self.states.values()))

    async def _rest_service(self, request: web.Request) -> web.Response:
        self._authorized(request)
        data = await request.json() if request.can_read_body else {}
        target = data.pop("entity_id", [])
        entities = [target] if isinstance(target, str) else list(target)
        before = {e: self.states[e] for e in entities if e in self.states}
        try:
            self.call(request.match_info["domain"], request.match_info["service"], data, entities)
        except LookupError as e:
            raise web.HTTPBadRequest(text=str(e)) from None
        return web.json_response([s for e, s in self.states.items() if e in before and s is not before[e]])


