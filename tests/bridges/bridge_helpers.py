"""Helpers for the bridge tests (imported as `bridge_helpers`; conftest modules are not
importable once several test folders are collected)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Iterator

from twinspace.actions.registry import Caller
from twinspace.bridges.homeassistant import config_flow
from twinspace.bridges.manager import BridgeManager
from twinspace.hub import Hub

FAST_RECONNECT = {"initial_s": 0.05, "factor": 2.0, "cap_s": 0.4}
OWNER = Caller(home_id="demo-loft", person="alex", device="quest-alex", role="owner")

def wait_for(check: Callable[[], bool], timeout_s: float = 5.0, what: str = "the condition") -> float:
    """Poll until `check()`; returns the seconds it took."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout_s:
            raise AssertionError(f"{what} did not happen within {timeout_s} s")
        time.sleep(0.005)
    return time.monotonic() - start


def bind_home_assistant(hub: Hub, ha: "FakeHomeAssistant", entities: dict[str, str]) -> None:
    """Save the Home Assistant entry and bind twin devices to entities (device id → entity)."""
    proposals = [config_flow.Proposal(e, e, "Kitchen", "kitchen", d, "light", "bind") for d, e in entities.items()]
    hub.administer("demo-loft", OWNER, action="bridge.map", args={}, message="bound",
                   change=lambda home: config_flow.apply(home, proposals))
    BridgeManager(hub, Path(hub.store.path).parent).entries.save(
        "demo-loft", "homeassistant", {"url": ha.url, "token": ha.token, "reconnect": FAST_RECONNECT})


def running(hub: Hub, device: str) -> Iterator[Hub]:
    """Run the hub's bridges until the test ends, once `device` is connected."""
    manager = BridgeManager(hub, Path(hub.store.path).parent).start()
    hub.bridges = manager
    try:
        wait_for(lambda: hub.home("demo-loft").device_state(device).available is True, what="connecting")
        manager.settle()
        yield hub
    finally:
        hub.bridges = None
        manager.stop()


TV_HOST = "127.0.0.10"  # this engineer's loopback addresses for fake TVs: 127.0.0.10-19 (port 3000 is fixed)


def pair_tv(hub: Hub, tv, device: str = "tv-lounge", hub_url: str = "http://192.0.2.5:8080") -> dict:
    """Pair with the fake TV as `twinspace bridge webos pair` does; returns the saved entry."""
    import anyio

    from twinspace.bridges.webos import config_flow

    paired = anyio.run(config_flow.pair, tv.host)
    entry = {"tvs": {device: {"host": tv.host, "client_key": paired.client_key, "mac": paired.mac,
                              "hub_url": hub_url, "media_token": "tv-media-token",
                              "wol": {"ip": "127.0.0.1", "port": tv.wol_port}}},
             "reconnect": FAST_RECONNECT}
    BridgeManager(hub, Path(hub.store.path).parent).entries.save("demo-loft", "webos", entry)
    return entry


def bind_tv(hub: Hub, tv, device: str = "tv-lounge") -> None:
    def bind(home) -> None:  # noqa: ANN001
        home.device(device)[1].bridge = {"type": "webos", "host": tv.host}

    hub.administer("demo-loft", OWNER, action="bridge.map", args={}, message="bound", change=bind)


RENDERER_HOST = "127.0.0.20"  # loopback addresses for fake DLNA renderers: 127.0.0.20-29
RENDERER = "speaker-lounge"  # the demo home's Soundbar, played to as a DLNA renderer


def add_renderer(hub: Hub, renderer, device: str = RENDERER, hub_url: str = "http://192.0.2.5:8080",
                 media_token: str = "dlna-media-token") -> None:
    """Bind `device` to the fake renderer and save its entry, as `twinspace bridge dlna add` does."""
    def bind(home) -> None:  # noqa: ANN001
        home.device(device)[1].bridge = {"type": "dlna", "udn": "uuid:fake"}

    hub.administer("demo-loft", OWNER, action="bridge.map", args={}, message="bound", change=bind)
    BridgeManager(hub, Path(hub.store.path).parent).entries.save("demo-loft", "dlna", {
        "renderers": {device: {"location": renderer.location, "hub_url": hub_url, "media_token": media_token}},
        "reconnect": FAST_RECONNECT, "poll_s": 5.0})  # events carry the state; the poll finds it gone
