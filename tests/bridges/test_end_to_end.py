"""End to end: the hub server with its bridges running against the fake devices; a person's
typed request through the assistant turn API, and a Yjs client watching the twin."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import anyio
import httpx
import pytest
from pycrdt import Map

from bridge_helpers import add_renderer, bind_home_assistant, bind_tv, pair_tv, wait_for
from support import DEMO_NOW
from twinspace import access
from twinspace.assistant.runtime import Completion
from twinspace.content.services import ContentServices
from twinspace.demo import write_demo_home
from twinspace.home.homefile import read_home_dir
from twinspace.hub import Hub
from twinspace.server import assistant_routes
from twinspace.store.sqlite import Store
from twinspace.sync.client import SyncClient

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))
from sync_helpers import LiveServer  # noqa: E402

HOME = "demo-loft"
SCRIPT = {"turn on the kitchen light": 'power what="the kitchen light" on=yes',
          "put the news on the TV": 'show what="the news" where="the tv"',
          "play coral kingdoms on the TV": 'show what="coral kingdoms" where="the tv"'}


class ScriptedModel:
    """The model's reading of the request, fixed (its accuracy is `twinspace eval`'s job);
    grounding, planning and the hub are the real ones."""

    def complete(self, prompt: str, **_: object) -> Completion:
        request = prompt.split("<|im_start|>user\n", 1)[1].split("<|im_end|>", 1)[0]
        return Completion(SCRIPT[request], 20, 12, 10, 0.01)


def serve(tmp_path, monkeypatch, bind, devices):  # noqa: ANN001, ANN201
    """The demo home's hub server with its bridges running once `devices` are connected;
    `bind(hub)` binds the fakes first."""
    store = Store(tmp_path / "db" / "twinspace.db")
    hub = Hub(store, services=ContentServices(store, clock=lambda: DEMO_NOW), clock=lambda: DEMO_NOW)
    hub.import_bundle(read_home_dir(write_demo_home(tmp_path / "demo", DEMO_NOW)))
    bind(hub)
    monkeypatch.setattr(assistant_routes, "load_model", lambda *a, **k: ScriptedModel())
    token = access.issue_token(store, HOME, "alex", "Alex's Quest", role="owner", device="quest-alex").token
    with LiveServer(hub) as server:
        wait_for(lambda: hub.bridges is not None and all(hub.home(HOME).device_state(d).available for d in devices),
                 what="the bridges starting")
        yield server, hub, token


@pytest.fixture
def live(tmp_path, monkeypatch, fake_ha, fake_tv):
    def bind(hub: Hub) -> None:
        bind_home_assistant(hub, fake_ha, {"light-pendant": "light.kitchen_pendant"})
        bind_tv(hub, fake_tv)
        pair_tv(hub, fake_tv)

    yield from serve(tmp_path, monkeypatch, bind, ["light-pendant", "tv-lounge"])


@pytest.fixture
def dlna_tv(tmp_path, monkeypatch, fake_renderer):
    """The lounge TV is a DLNA renderer (a TV of another make than LG)."""
    def bind(hub: Hub) -> None:  # as `twinspace bridge dlna add` does: a device token of its own for media
        token = access.issue_token(hub.store, HOME, "alex", "Lounge TV (DLNA)", device="tv-lounge").token
        add_renderer(hub, fake_renderer, "tv-lounge", media_token=token)

    yield from serve(tmp_path, monkeypatch, bind, ["tv-lounge"])


def test_turn_on_the_kitchen_light_reaches_home_assistant_and_the_wall_switch_reaches_a_yjs_client(live, fake_ha):
    server, hub, token = live
    r = httpx.post(f"{server.http}/v1/assistant/turns", json={"text": "turn on the kitchen light"},
                   headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert [(c["domain"], c["service"], c["target"]) for c in fake_ha.calls] == [
        ("light", "turn_on", {"entity_id": "light.kitchen_pendant"})]
    assert hub.home(HOME).device_state("light-pendant").on is True

    async def watch() -> float:
        async with SyncClient(f"{server.ws}/{HOME}", token) as client:
            with anyio.fail_after(10):
                await client.synced.wait()

            def state() -> dict:
                return client.doc.get("devices", type=Map)["light-pendant"]["state"]

            assert state()["on"] is True
            took = []
            for i in range(5):  # five switches at the wall, alternating
                want = i % 2 == 1
                switched = time.monotonic()
                fake_ha.set_state("light.kitchen_pendant", "on" if want else "off", brightness=255 if want else None)
                await client.wait_for(lambda: state()["on"] is want, timeout=5)
                took.append(time.monotonic() - switched)
            return took

    took = sorted(anyio.run(watch))
    median = took[len(took) // 2]
    # The budget is 200 ms; the median is asserted because this 2-core machine is shared and one
    # sample can be held up by other work.
    assert median < 0.2, f"the wall switch took {median * 1000:.0f} ms (median) to reach the Yjs client"
    print(f"wall switch → Yjs client: median {median * 1000:.1f} ms, max {took[-1] * 1000:.1f} ms")


def test_an_unreachable_device_is_a_problem_naming_it_over_rest(live, fake_ha):
    server, hub, token = live
    fake_ha.hang = True
    r = httpx.post(f"{server.http}/api/v1/homes/{HOME}/actions/device.light",
                   json={"args": {"device": "light-pendant", "brightness": 50}},
                   headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 504
    problem = r.json()
    assert problem["title"] == "Device did not respond" and problem["device"] == "light-pendant"
    assert problem["detail"].startswith("Kitchen pendant did not set its brightness to 50%")
    wait_for(lambda: hub.home(HOME).device_state("light-pendant").available is False, what="marking it unavailable")


def test_put_the_news_on_the_tv_starts_it_on_the_tv(live, fake_tv):
    server, hub, token = live
    r = httpx.post(f"{server.http}/v1/assistant/turns", json={"text": "put the news on the TV"},
                   headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert [a["action"] for a in r.json()["applied"]] == ["playback.play"], r.json()
    opened = fake_tv.opened[-1]
    assert opened["target"] == "http://192.0.2.5:8080/demo/live/hubnews.demo/index.m3u8?token=tv-media-token"
    assert fake_tv.app == "com.webos.app.mediaviewer" and fake_tv.media[0]["playState"] == "playing"
    state = hub.home(HOME).device_state("tv-lounge")
    assert (state.playing, state.on, state.available) == ("channel:hubnews.demo", True, True)


@pytest.mark.parametrize("request_text, stream, content", [
    ("put the news on the TV", "/demo/live/hubnews.demo/index.m3u8", "channel:hubnews.demo"),
    ("play coral kingdoms on the TV", "/media/vod/coral-kingdoms/index.m3u8", "vod:coral-kingdoms"),
])
def test_a_request_plays_on_a_dlna_tv(dlna_tv, fake_renderer, request_text, stream, content):
    server, hub, token = dlna_tv
    r = httpx.post(f"{server.http}/v1/assistant/turns", json={"text": request_text},
                   headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert [(a["action"], a["args"]["target"]) for a in r.json()["applied"]] == [("playback.play", "tv-lounge")], \
        r.json()
    [given] = fake_renderer.uris  # the hub's HLS, live or on demand, at the hub's address on the LAN, with its token
    assert given.startswith(f"http://192.0.2.5:8080{stream}?token="), given
    assert fake_renderer.received[:2] == ["SetAVTransportURI", "Play"] and fake_renderer.transport_state == "PLAYING"
    state = hub.home(HOME).device_state("tv-lounge")
    assert (state.playing, state.available) == (content, True)
    # What the renderer was given is what the hub serves it (here at the test server's address).
    fetched = httpx.get(given.replace("http://192.0.2.5:8080", server.http), timeout=10)
    assert fetched.status_code == 200 and fetched.text.startswith("#EXTM3U"), (fetched.status_code, fetched.text[:200])
