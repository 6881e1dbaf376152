"""Helpers for the XR client's browser tests (a module of its own: test directories share `conftest`)."""

from __future__ import annotations

import asyncio
import json
import struct
import threading
import time
import zlib
from pathlib import Path
from typing import Any, Callable

import httpx

from support import CHROMIUM  # noqa: F401  (the client tests import it from here)
from twinspace.sync.client import SyncClient

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "client"
DIST = REPO / "src" / "twinspace" / "web" / "dist"
ARTIFACTS = REPO / "artifacts" / "client"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--autoplay-policy=no-user-gesture-required"]
STORAGE_KEY = "twinspace.device"  # where the client keeps its pairing (client/src/api.js)
IWER = CLIENT / "node_modules" / "iwer" / "build" / "iwer.min.js"  # Meta's WebXR emulator (a dev dependency)


def png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's screenshots are)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    height = depth = color = 0
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + size]
        pos += size + 12
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
    assert depth == 8 and color in (2, 6), f"unexpected PNG format (depth {depth}, colour type {color})"
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray(height * stride)
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return width, height, channels, bytes(out)


def image_stats(png: bytes, step: int = 7) -> dict[str, float]:
    """Luminance variance and the number of distinct (coarse) colours, sampled on a grid."""
    width, height, channels, px = png_pixels(png)
    lum: list[float] = []
    colours: set[tuple[int, int, int]] = set()
    for y in range(0, height, step):
        for x in range(0, width, step):
            i = (y * width + x) * channels
            r, g, b = px[i], px[i + 1], px[i + 2]
            lum.append(0.2126 * r + 0.7152 * g + 0.0722 * b)
            colours.add((r >> 4, g >> 4, b >> 4))
    mean = sum(lum) / len(lum)
    return {"variance": sum((v - mean) ** 2 for v in lum) / len(lum), "colours": len(colours), "mean": mean}


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1,
             what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


class Rest:
    """The hub's REST API as one paired device."""

    def __init__(self, base: str, token: str, home: str = "demo-loft") -> None:
        self.http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.home = home

    def action(self, name: str, **args: Any) -> dict[str, Any]:
        r = self.http.post(f"/api/v1/homes/{self.home}/actions/{name}", json={"args": args})
        assert r.status_code == 200, r.text
        return r.json()

    def panels(self) -> list[dict[str, Any]]:
        r = self.http.get(f"/api/v1/homes/{self.home}/panels")
        assert r.status_code == 200, r.text
        return r.json()

    def panel(self, panel_id: str) -> dict[str, Any]:
        r = self.http.get(f"/api/v1/homes/{self.home}/panels/{panel_id}")
        assert r.status_code == 200, r.text
        return r.json()

    def close_all(self) -> None:
        for p in self.panels():
            self.action("panel.close", panel=p["id"])


def pairing_script(pairing: dict[str, Any]) -> str:
    """An init script that makes a page start already paired (for tests not about pairing)."""
    return f"localStorage.setItem({json.dumps(STORAGE_KEY)}, {json.dumps(json.dumps(pairing))});"


def wait_ready_and_connected(page: Any, timeout: float = 30_000) -> None:
    page.wait_for_function("window.__twinspace && window.__twinspace.ready && window.__twinspace.connected",
                           timeout=timeout)


def live_panels(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("window.__twinspace.panels")


def panel_in(page: Any, panel_id: str) -> dict[str, Any] | None:
    return next((p for p in live_panels(page) if p["id"] == panel_id), None)


def emulator(modes: list[str]) -> str:
    """A test-only script: a Quest 3 whose runtime answers navigator.xr (iwer), limited to `modes`."""
    return ("window.__iwerDevice = new IWER.XRDevice("
            f"{{ ...IWER.metaQuest3, supportedSessionModes: {json.dumps(modes)} }});"
            "window.__iwerDevice.installRuntime({ forceInstall: true });")


def aim(page: Any, at: list[float], rotation: tuple[float, float, float, float] = (0, 0, 0, 1),
        hand: str = "right") -> None:
    """Put an emulated controller at `at` with the quaternion `rotation` (x, y, z, w); identity points -Z."""
    page.evaluate("([hand, [x, y, z], [qx, qy, qz, qw]]) => { const c = window.__iwerDevice.controllers[hand];"
                  " c.position.set(x, y, z); c.quaternion.set(qx, qy, qz, qw); }", [hand, at, list(rotation)])


def press_button(page: Any, button: str, value: float, hand: str = "right") -> None:
    """Set an emulated controller's button ('trigger', 'squeeze'): 1 pressed, 0 let go."""
    page.evaluate("([hand, button, value]) => window.__iwerDevice.controllers[hand].updateButtonValue(button, value)",
                  [hand, button, value])


class Participant:
    """A SyncClient on its own event loop in a thread, driven from the (synchronous) test."""

    def __init__(self, url: str, token: str, presence: dict[str, Any]) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = SyncClient(url, token, presence=presence)
        self._call(self.client.__aenter__())
        self._call(asyncio.wait_for(self.client.synced.wait(), 20))

    def _call(self, coro: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def client_id(self) -> int:
        return self.client.doc.client_id

    def move(self, position: list[float], yaw: float) -> None:
        async def set_() -> None:
            self.client.set_presence({"kind": "headset", "head": {"position": position, "yaw_deg": yaw}})
        self._call(set_())

    def wait(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        return self._call(self.client.wait_for(predicate, timeout), timeout + 5)

    def leave(self) -> None:
        try:
            self._call(self.client.close())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
