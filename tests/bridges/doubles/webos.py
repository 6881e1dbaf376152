"""A fake LG webOS TV on its own loopback address, speaking SSAP over WebSocket on the fixed
port 3000 as aiowebostv expects: hello, system info, `register` with the on-screen pairing
prompt (accepted or refused by the test, or refused for the blacklisted signature as webOS
26 firmware does), `ssap://` requests, subscriptions pushed on every change, the pointer input
socket, and Wake-on-LAN (a UDP listener for magic packets on loopback).

The test is the person with the remote: `press_volume`, `press_mute`, `open_app`; `unplug`
and `plug` pull and restore the power cord; `hang` makes it take commands without answering.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
from typing import Any, Optional

from aiohttp import WSMsgType, web

from doubles.loopback import LoopbackServer

MEDIA_VIEWER = "com.webos.app.mediaviewer"
HOME_APP = "com.webos.app.home"
BLACKLISTED = "403 Pairing rejected: blacklisted certificate detected"
APPS = [
    {"id": "youtube.leanback.v4", "title": "YouTube"},
    {"id": "netflix", "title": "Netflix"},
    {"id": "com.webos.app.browser", "title": "Web Browser"},
    {"id": "com.webos.app.photovideo", "title": "Photos"},
]


class FakeWebOsTv(LoopbackServer):
    def __init__(self, host: str, *, mac: str = "a8:23:fe:00:00:10", name: str = "LG OLED65C4",
                 prompt: str = "accept", keys: Optional[set[str]] = None) -> None:
        super().__init__(f"fake-tv-{host}")
        self.host = host
        self.port = 3000
        self.mac = mac
        self.name = name
        self.prompt = prompt  # what the person at the TV does when asked: accept, reject, ignore, blacklisted
        self.keys = set(keys or ())  # client keys the TV has accepted
        self.volume, self.muted, self.app, self.power = 12, False, HOME_APP, "Active"
        self.media: list[dict[str, Any]] = []  # foreground media: what the media viewer plays
        self.opened: list[dict[str, Any]] = []  # every media.viewer/open request
        self.requests: list[tuple[str, dict[str, Any]]] = []  # every ssap:// uri asked, in order
        self.hang = False
        self._subs: dict[str, list[tuple[web.WebSocketResponse, Any]]] = {}
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            self.wol_port = s.getsockname()[1]
        self._wol: Optional[asyncio.DatagramTransport] = None

    # --- lifetime ------------------------------------------------------------------------

    def __enter__(self) -> "FakeWebOsTv":
        super().__enter__()
        self._run(self._listen_for_wol())
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._wol is not None:
            self._loop.call_soon_threadsafe(self._wol.close)
        super().__exit__(*exc)

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._main_socket)
        app.router.add_get("/resources/{key}/netinput.pointer.sock", self._pointer_socket)

    async def _start(self) -> None:
        self.power = "Active"
        await super()._start()

    async def _stop(self) -> None:
        await super()._stop()
        self._subs.clear()

    async def _listen_for_wol(self) -> None:
        tv = self

        class Magic(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: Any) -> None:
                mac = bytes.fromhex(tv.mac.replace(":", ""))
                if data == b"\xff" * 6 + mac * 16:
                    asyncio.ensure_future(tv._start())

        self._wol, _ = await self._loop.create_datagram_endpoint(Magic, local_addr=("127.0.0.1", self.wol_port))

    # --- the remote ------------------------------------------------------------------------

    def press_volume(self, level: int) -> None:
        self._loop.call_soon_threadsafe(self._set_volume, level)

    def press_mute(self, muted: bool) -> None:
        def change() -> None:
            self.muted = muted
            self._push_audio()
        self._loop.call_soon_threadsafe(change)

    def open_app(self, app_id: str) -> None:
        self._loop.call_soon_threadsafe(self._set_app, app_id)

    def _set_volume(self, level: int) -> None:
        self.volume = max(0, min(100, level))
        self._push_audio()

    def _push_audio(self) -> None:
        self._push("audio/getStatus", self._audio_status())
        self._push("audio/getVolume", self._volume_status())

    def _set_app(self, app_id: str) -> None:
        self.app = app_id
        if app_id != MEDIA_VIEWER:
            self.media = []
            self._push("com.webos.media/getForegroundAppInfo", {"foregroundAppInfo": []})
        self._push("com.webos.applicationManager/getForegroundAppInfo", self._foreground())

    # --- state payloads ------------------------------------------------------------------

    def _audio_status(self) -> dict[str, Any]:
        return {"mute": self.muted, "volume": self.volume, "scenario": "mastervolume_tv_speaker"}

    def _volume_status(self) -> dict[str, Any]:
        return {"volumeStatus": {"volume": self.volume, "muteStatus": self.muted, "maxVolume": 100,
                                 "soundOutput": "tv_speaker"}, "callerId": "secondscreen.client"}

    def _foreground(self) -> dict[str, Any]:
        return {"appId": self.app, "processId": "", "windowId": ""}

    def _state_for(self, uri: str) -> Optional[dict[str, Any]]:
        return {
            "com.webos.service.tvpower/power/getPowerState": lambda: {"state": self.power},
            "com.webos.applicationManager/getForegroundAppInfo": self._foreground,
            "audio/getStatus": self._audio_status,
            "audio/getVolume": self._volume_status,
            "com.webos.applicationManager/listLaunchPoints": lambda: {
                "launchPoints": [{**a, "largeIcon": "", "icon": "", "launchPointId": a["id"] + "_default"}
                                 for a in APPS]},
            "tv/getExternalInputList": lambda: {"devices": [{"id": "HDMI_1", "label": "HDMI 1",
                                                             "appId": "com.webos.app.hdmi1"}]},
            "com.webos.service.apiadapter/audio/getSoundOutput": lambda: {"soundOutput": "tv_speaker"},
            "com.webos.media/getForegroundAppInfo": lambda: {"foregroundAppInfo": self.media},
            "system/getSystemInfo": lambda: {"modelName": self.name, "receiverType": "dvb",
                                             "features": {"3d": False, "dvr": True}},
            "com.webos.service.update/getCurrentSWInformation": lambda: {"product_name": "webOSTV 24",
                                                                         "major_ver": "33", "minor_ver": "22.65",
                                                                         "device_id": self.mac},
            "com.webos.service.connectionmanager/getinfo": lambda: {
                "wiredInfo": {"macAddress": self.mac}, "wifiInfo": {"macAddress": "a8:23:fe:00:00:ff"}},
        }.get(uri, lambda: None)()

    def _push(self, uri: str, payload: dict[str, Any]) -> None:
        for ws, uid in self._subs.get(uri, []):
            asyncio.ensure_future(self._send(ws, {"type": "response", "id": uid,
                                                  "payload": {**payload, "returnValue": True, "subscribed": True}}))

    async def _send(self, ws: web.WebSocketResponse, message: dict[str, Any]) -> None:
        if not ws.closed:
            await ws.send_str(json.dumps(message))

    # --- SSAP -----------------------------------------------------------------------------

    async def _pointer_socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        try:
            async for _ in ws:
                pass
        finally:
            self._sockets.discard(ws)
        return ws

    async def _main_socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        registered = False
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                m = json.loads(msg.data)
                kind, uid = m.get("type"), m.get("id")
                if kind == "hello":
                    await ws.send_json({"type": "hello", "id": uid, "payload": {
                        "protocolVersion": 1, "deviceType": "tv", "deviceOS": "webOS", "deviceOSVersion": "4.1.0",
                        "deviceOSReleaseVersion": "11.2.0", "deviceUUID": "fake-" + self.mac,
                        "pairingTypes": ["PIN", "PROMPT", "COMBINED"]}})
                elif kind == "register":
                    registered = await self._register(ws, uid, m.get("payload") or {})
                elif kind in ("request", "subscribe"):
                    uri = (m.get("uri") or "").removeprefix("ssap://")
                    if not registered and uri != "system/getSystemInfo":
                        await ws.send_json({"type": "error", "id": uid, "error": "401 insufficient permissions",
                                            "payload": {}})
                        continue
                    await self._request(ws, kind, uid, uri, m.get("payload") or {})
        finally:
            self._sockets.discard(ws)
            for subs in self._subs.values():
                subs[:] = [s for s in subs if s[0] is not ws]
        return ws

    async def _register(self, ws: web.WebSocketResponse, uid: Any, payload: dict[str, Any]) -> bool:
        if self.prompt == "blacklisted":
            await ws.send_json({"type": "error", "id": uid, "error": BLACKLISTED, "payload": {}})
            return False
        key = payload.get("client-key")
        if key in self.keys:
            await ws.send_json({"type": "registered", "id": uid, "payload": {"client-key": key}})
            return True
        await ws.send_json({"type": "response", "id": uid, "payload": {"pairingType": "PROMPT", "returnValue": True}})
        if self.prompt == "ignore":
            return False
        await asyncio.sleep(0.05)  # the person reaches for the remote
        if self.prompt == "reject":
            await ws.send_json({"type": "error", "id": uid, "error": "403 User rejected pairing", "payload": {}})
            return False
        key = secrets.token_hex(16)
        self.keys.add(key)
        await ws.send_json({"type": "registered", "id": uid, "payload": {"client-key": key}})
        return True

    async def _request(self, ws: web.WebSocketResponse, kind: str, uid: Any, uri: str, payload: dict[str, Any]) -> None:
        self.requests.append((uri, payload))
        if self.hang and kind == "request":
            return

        async def reply(body: dict[str, Any]) -> None:
            await ws.send_json({"type": "response", "id": uid, "payload": {"returnValue": True, **body}})

        if kind == "subscribe":
            state = self._state_for(uri)
            if state is None:
                await ws.send_json({"type": "error", "id": uid, "error": "404 no such service or method", "payload": {}})
                return
            self._subs.setdefault(uri, []).append((ws, uid))
            await reply({**state, "subscribed": True})
            return
        if (state := self._state_for(uri)) is not None:
            await reply(state)
        elif uri == "com.webos.service.networkinput/getPointerInputSocket":
            await reply({"socketPath": f"ws://{self.host}:{self.port}/resources/{secrets.token_hex(8)}"
                                       f"/netinput.pointer.sock"})
        elif uri == "audio/setVolume":
            await reply({})
            self._set_volume(int(payload["volume"]))
        elif uri == "audio/setMute":
            await reply({})
            self.muted = bool(payload["mute"])
            self._push_audio()
        elif uri in ("audio/volumeUp", "audio/volumeDown"):
            await reply({})
            self._set_volume(self.volume + (1 if uri.endswith("Up") else -1))
        elif uri == "system.launcher/launch":
            if payload.get("id") not in {a["id"] for a in APPS}:
                await ws.send_json({"type": "error", "id": uid, "error": "404 app not found", "payload": {}})
                return
            await reply({"id": payload["id"], "sessionId": secrets.token_hex(6)})
            self._set_app(payload["id"])
        elif uri == "media.viewer/open":
            self.opened.append(payload)
            await reply({"id": MEDIA_VIEWER, "sessionId": secrets.token_hex(6)})
            self.app = MEDIA_VIEWER
            self.media = [{"appId": MEDIA_VIEWER, "playState": "playing", "type": "media",
                           "mediaId": "_" + secrets.token_hex(4), "windowId": "_Window_Id_1"}]
            self._push("com.webos.applicationManager/getForegroundAppInfo", self._foreground())
            self._push("com.webos.media/getForegroundAppInfo", {"foregroundAppInfo": self.media})
        elif uri in ("media.controls/pause", "media.controls/play") and self.media:
            await reply({})
            state = "paused" if uri.endswith("pause") else "playing"
            self.media = [{**m, "playState": state} for m in self.media]
            self._push("com.webos.media/getForegroundAppInfo", {"foregroundAppInfo": self.media})
        elif uri == "media.viewer/close":
            await reply({})
            self._set_app(HOME_APP)
        elif uri == "system/turnOff":
            self.power = "Suspend"
            self._push("com.webos.service.tvpower/power/getPowerState", {"state": self.power})
            asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(self._stop()))
        elif uri == "system/turnOn":
            await reply({})
        else:
            await ws.send_json({"type": "error", "id": uid, "error": "404 no such service or method", "payload": {}})
