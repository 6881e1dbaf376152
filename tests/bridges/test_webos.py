"""The LG webOS bridge: aiowebostv against the fake TV on 127.0.0.10:3000."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from bridge_helpers import OWNER, TV_HOST, wait_for
from twinspace.bridges.base import BridgeError
from twinspace.bridges.webos import config_flow
from twinspace.errors import DeviceNotResponding

HOME = "demo-loft"
TV = "tv-lounge"


def state(hub):
    return hub.home(HOME).device_state(TV)


def test_pairing_goes_through_the_prompt_and_learns_the_mac(fake_tv):
    paired = anyio.run(config_flow.pair, TV_HOST)
    assert paired.client_key in fake_tv.keys
    assert (paired.model, paired.mac) == ("LG OLED65C4", fake_tv.mac)
    assert paired.apps["youtube.leanback.v4"] == "YouTube"
    again = anyio.run(lambda: config_flow.pair(TV_HOST, client_key=paired.client_key))
    assert again.client_key == paired.client_key  # a known key: no prompt


def test_a_refused_prompt_and_the_2026_signature_refusal_are_explained(fake_tv):
    fake_tv.prompt = "reject"
    with pytest.raises(BridgeError, match="refused pairing.*Accept the prompt on the TV's screen"):
        anyio.run(config_flow.pair, TV_HOST)
    fake_tv.prompt = "blacklisted"
    with pytest.raises(BridgeError, match=r"webOS 26\) refuses the pairing signature .*aiowebostv#718"):
        anyio.run(config_flow.pair, TV_HOST)


def test_no_tv_at_the_address_is_one_clear_sentence():
    with pytest.raises(BridgeError, match="no LG TV answered at 127.0.0.11 .*LG Connect Apps"):
        anyio.run(lambda: config_flow.pair("127.0.0.11", timeout_s=3))


def test_after_connecting_the_twin_shows_the_tv_and_its_apps(tv_hub):
    s = state(tv_hub)
    assert (s.on, s.volume, s.muted, s.available) == (True, 12, False, True)
    apps = {a.id: a.name for a in tv_hub.home(HOME).content.apps}
    assert apps["youtube.leanback.v4"] == "YouTube" and apps["netflix"] == "Netflix"
    assert "com.webos.app.photovideo" not in apps  # the home's own "Photos" app is that one, matched by name


def test_the_remote_s_volume_change_shows_in_the_twin(tv_hub, fake_tv):
    fake_tv.press_volume(27)
    took = wait_for(lambda: state(tv_hub).volume == 27, what="the remote's volume reaching the twin")
    assert took < 0.2
    print(f"remote volume → twin: {took * 1000:.1f} ms")
    tv_hub.bridges.settle()
    entry = next(e for e in tv_hub.store.journal(HOME, 5) if e.action == "device.reported")
    assert (entry.person, entry.device, entry.args["volume"]) == (None, TV, 27)


def test_apps_launch_on_the_tv(tv_hub, fake_tv):
    tv_hub.apply(HOME, "app.launch", {"app": "photos", "device": TV}, caller=OWNER)
    assert fake_tv.app == "com.webos.app.photovideo"  # the home's Photos is the TV's Photos
    assert state(tv_hub).app == "photos"
    tv_hub.apply(HOME, "app.launch", {"app": "netflix", "device": TV}, caller=OWNER)
    assert (fake_tv.app, state(tv_hub).app) == ("netflix", "netflix")


def test_the_hub_s_content_plays_on_the_tv_s_media_viewer_and_its_volume_is_the_tv_s(tv_hub, fake_tv):
    tv_hub.apply(HOME, "playback.play", {"content": "vod:big-wave", "target": TV}, caller=OWNER)
    opened = fake_tv.opened[-1]
    assert opened["target"] == "http://192.0.2.5:8080/media/vod/big-wave/index.m3u8?token=tv-media-token"
    assert (opened["mimeType"], fake_tv.app, fake_tv.media[0]["playState"]) == (
        "application/x-mpegURL", "com.webos.app.mediaviewer", "playing")
    assert state(tv_hub).playing == "vod:big-wave"
    tv_hub.apply(HOME, "playback.volume", {"target": TV, "level": 20}, caller=OWNER)
    assert fake_tv.volume == 20 and state(tv_hub).volume == 20
    assert tv_hub.home(HOME).playback[TV].volume == 20
    tv_hub.apply(HOME, "playback.volume", {"target": TV, "mute": True}, caller=OWNER)
    assert fake_tv.muted is True and state(tv_hub).muted is True
    fake_tv.press_volume(33)  # the remote: the session's volume follows
    wait_for(lambda: tv_hub.home(HOME).playback[TV].volume == 33, what="the remote's volume in the session")
    fake_tv.open_app("netflix")  # the person opened another app: the hub's playback there ended
    wait_for(lambda: TV not in tv_hub.home(HOME).playback, what="the session ending")
    assert state(tv_hub).playing is None and state(tv_hub).app == "netflix"


def test_power_off_then_on_by_wake_on_lan(tv_hub, fake_tv):
    tv_hub.apply(HOME, "device.power", {"device": TV, "on": False}, caller=OWNER, confirmed=True)
    assert fake_tv.power == "Suspend"
    wait_for(lambda: not fake_tv.on, what="the TV going to sleep")
    tv_hub.bridges.settle()
    assert state(tv_hub).on is False
    start = time.monotonic()
    tv_hub.apply(HOME, "device.power", {"device": TV, "on": True}, caller=OWNER)
    assert fake_tv.on and state(tv_hub).on is True and state(tv_hub).available is True
    print(f"Wake-on-LAN → TV confirmed on: {(time.monotonic() - start) * 1000:.0f} ms")


def test_unplugged_mid_command_then_back(tv_hub, fake_tv):
    fake_tv.hang = True
    errors = []

    def command() -> None:
        try:
            tv_hub.apply(HOME, "app.launch", {"app": "netflix", "device": TV}, caller=OWNER)
        except DeviceNotResponding as e:
            errors.append(e.detail)

    worker = threading.Thread(target=command)
    worker.start()
    wait_for(lambda: any(u == "system.launcher/launch" for u, _ in fake_tv.requests), what="the launch arriving")
    fake_tv.unplug()
    worker.join(5)
    assert errors and errors[0].startswith("Lounge TV did not launch Netflix: the TV at 127.0.0.10 went away")
    tv_hub.bridges.settle()
    s = state(tv_hub)
    assert (s.available, s.app) == (False, "com.webos.app.home")
    fake_tv.hang = False
    fake_tv.volume = 40  # changed while it was away
    fake_tv.plug()
    wait_for(lambda: state(tv_hub).available is True, what="the bridge reconnecting")
    tv_hub.bridges.settle()
    assert state(tv_hub).volume == 40


@pytest.fixture
def clock_hub(store, demo_bundle, fake_tv):
    """A hub on the real clock (positions advance), its lounge TV paired with the fake TV."""
    from bridge_helpers import running, bind_tv, pair_tv
    from twinspace.hub import Hub

    hub = Hub(store)
    hub.import_bundle(demo_bundle)
    bind_tv(hub, fake_tv)
    pair_tv(hub, fake_tv)
    yield from running(hub, TV)


def test_handoff_from_the_tv_to_a_headset_keeps_the_position(clock_hub, fake_tv):
    clock_hub.apply(HOME, "playback.play", {"content": "vod:big-wave", "target": TV}, caller=OWNER)
    time.sleep(1.5)  # watching on the TV
    outcome = clock_hub.apply(HOME, "playback.handoff", {"target": TV, "to": "quest-alex"}, caller=OWNER)
    position = outcome.result["playback"]["position_s"]
    assert abs(position - 1.5) < 1.0, position
    assert fake_tv.app == "com.webos.app.home"  # the TV's media viewer was closed
    assert TV not in clock_hub.home(HOME).playback and clock_hub.home(HOME).playback["quest-alex"].playing


def test_pause_and_resume_reach_the_tv_s_media_viewer(tv_hub, fake_tv):
    tv_hub.apply(HOME, "playback.play", {"content": "vod:big-wave", "target": TV}, caller=OWNER)
    tv_hub.apply(HOME, "playback.pause", {"target": TV}, caller=OWNER)
    assert fake_tv.media[0]["playState"] == "paused" and not tv_hub.home(HOME).playback[TV].playing
    tv_hub.apply(HOME, "playback.resume", {"target": TV}, caller=OWNER)
    assert fake_tv.media[0]["playState"] == "playing" and tv_hub.home(HOME).playback[TV].playing
