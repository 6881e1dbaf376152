"""The Home Assistant bridge: hass-client against the fake Home Assistant on loopback."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from bridge_helpers import OWNER, wait_for
from twinspace.bridges.entries import Entries
from twinspace.bridges.homeassistant import config_flow
from twinspace.bridges.base import BridgeError
from twinspace.errors import DeviceNotResponding

HOME = "demo-loft"


def state(hub, device):
    return hub.home(HOME).device_state(device)


def test_the_mapping_is_proposed_by_area_and_name(hub, fake_ha):
    snapshot = anyio.run(config_flow.fetch, fake_ha.url, fake_ha.token)
    proposals = {p.entity: p for p in config_flow.propose(hub.home(HOME), snapshot)}
    assert set(proposals) == {"light.kitchen_pendant", "light.kitchen_counter", "media_player.kitchen_speaker"}
    assert (proposals["light.kitchen_pendant"].action, proposals["light.kitchen_pendant"].device) == ("bind", "light-pendant")
    assert (proposals["media_player.kitchen_speaker"].device, proposals["media_player.kitchen_speaker"].room) == (
        "speaker-kitchen", "kitchen")
    counter = proposals["light.kitchen_counter"]
    assert (counter.action, counter.room, counter.device, counter.name) == ("create", "kitchen", "kitchen-counter",
                                                                            "Counter lights")
    hub.administer(HOME, OWNER, action="bridge.map", args={}, message="mapped",
                   change=lambda home: config_flow.apply(home, list(proposals.values())))
    room, device = hub.home(HOME).device("kitchen-counter")
    assert (room.id, device.kind, device.bridge) == ("kitchen", "light", {"type": "homeassistant",
                                                                         "entity": "light.kitchen_counter"})
    assert hub.home(HOME).device("light-pendant")[1].bridge["entity"] == "light.kitchen_pendant"


def test_a_refused_token_says_what_to_do(fake_ha):
    with pytest.raises(BridgeError, match="refused the access token; create a long-lived token"):
        anyio.run(config_flow.fetch, fake_ha.url, "wrong")


def test_the_token_is_a_secret_file(tmp_path):
    path = Entries(tmp_path).save(HOME, "homeassistant", {"url": "http://ha:8123", "token": "s3cret"})
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_after_connecting_the_twin_matches_home_assistant(ha_hub):
    s = state(ha_hub, "speaker-kitchen")
    assert (s.on, s.volume, s.muted, s.available) == (True, 30, False, True)
    assert state(ha_hub, "light-pendant").on is False


def test_an_action_reaches_home_assistant_and_the_twin_changes_when_it_confirms(ha_hub, fake_ha):
    outcome = ha_hub.apply(HOME, "device.light", {"device": "light-pendant", "brightness": 30}, caller=OWNER)
    assert outcome.changed
    call = fake_ha.calls[-1]
    assert (call["domain"], call["service"], call["service_data"], call["target"]) == (
        "light", "turn_on", {"brightness_pct": 30}, {"entity_id": "light.kitchen_pendant"})
    assert fake_ha.states["light.kitchen_pendant"]["attributes"]["brightness"] == 76
    s = state(ha_hub, "light-pendant")
    assert (s.on, s.brightness) == (True, 30)
    entry = ha_hub.store.journal(HOME, 1)[0]
    assert (entry.action, entry.person) == ("device.light", "alex")
    ha_hub.apply(HOME, "device.power", {"device": "light-pendant", "on": False}, caller=OWNER)
    assert (fake_ha.calls[-1]["service"], fake_ha.states["light.kitchen_pendant"]["state"]) == ("turn_off", "off")
    assert state(ha_hub, "light-pendant").on is False


def test_a_switch_at_the_wall_flows_into_the_twin_as_the_device_s_report(ha_hub, fake_ha):
    fake_ha.set_state("light.kitchen_pendant", "on", brightness=204, color_mode="brightness")
    took = wait_for(lambda: state(ha_hub, "light-pendant").on, what="the wall switch reaching the twin")
    assert took < 0.2
    print(f"wall switch → twin: {took * 1000:.1f} ms")
    ha_hub.bridges.settle()
    assert state(ha_hub, "light-pendant").brightness == 80
    entry = next(e for e in ha_hub.store.journal(HOME, 5) if e.action == "device.reported")
    assert (entry.person, entry.device, entry.args["on"]) == (None, "light-pendant", True)
    assert "Kitchen pendant reported: on" in entry.message


def test_a_media_player_s_own_volume_change_shows_in_the_twin(ha_hub, fake_ha):
    fake_ha.set_state("media_player.kitchen_speaker", "playing", volume_level=0.55)
    wait_for(lambda: state(ha_hub, "speaker-kitchen").volume == 55, what="the speaker's own volume change")


def test_a_command_not_confirmed_in_time_is_a_clear_error_and_the_device_unavailable(ha_hub, fake_ha):
    fake_ha.hang = True
    start = time.monotonic()
    with pytest.raises(DeviceNotResponding) as e:
        ha_hub.apply(HOME, "device.power", {"device": "light-pendant", "on": True}, caller=OWNER)
    assert 1.9 < time.monotonic() - start < 3.0
    assert "Kitchen pendant did not switch on: no confirmation within 2 s" in e.value.detail
    assert "marked unavailable" in e.value.detail
    ha_hub.bridges.settle()
    s = state(ha_hub, "light-pendant")
    assert (s.on, s.available) == (False, False)  # never shows a state the device did not reach
    fake_ha.hang = False
    fake_ha.unplug()  # the bridge notices the line is gone ...
    fake_ha.plug()  # ... and once it is back, reconnects and reconciles
    wait_for(lambda: state(ha_hub, "light-pendant").available is True, what="the bridge reconnecting")


def test_unplugged_mid_command_then_back_the_twin_matches_the_device(ha_hub, fake_ha):
    ha_hub.apply(HOME, "device.light", {"device": "light-pendant", "brightness": 40}, caller=OWNER)  # acknowledged
    fake_ha.hang = True
    errors = []

    def command() -> None:
        try:
            ha_hub.apply(HOME, "device.light", {"device": "light-pendant", "brightness": 90}, caller=OWNER)
        except DeviceNotResponding as e:
            errors.append((e.detail, time.monotonic()))

    worker = threading.Thread(target=command)
    worker.start()
    wait_for(lambda: len(fake_ha.calls) >= 2, what="the call reaching the fake")
    unplugged_at = time.monotonic()
    fake_ha.unplug()
    worker.join(5)
    assert errors, "the command did not fail"
    detail, failed_at = errors[0]
    assert failed_at - unplugged_at < 1.0 and "dropped before it answered" in detail
    ha_hub.bridges.settle()
    s = state(ha_hub, "light-pendant")
    assert (s.brightness, s.available) == (40, False)  # the acknowledged change is kept, the unconfirmed one never shown
    # While it was away someone used the wall switch.
    fake_ha.hang = False
    fake_ha.states["light.kitchen_pendant"]["attributes"]["brightness"] = 153
    fake_ha.plug()
    wait_for(lambda: state(ha_hub, "light-pendant").available is True, what="the bridge reconnecting")
    ha_hub.bridges.settle()
    assert state(ha_hub, "light-pendant").brightness == 60


def test_a_command_while_home_assistant_is_away_fails_at_once(ha_hub, fake_ha):
    fake_ha.unplug()
    wait_for(lambda: state(ha_hub, "light-pendant").available is False, what="the bridge noticing")
    start = time.monotonic()
    with pytest.raises(DeviceNotResponding, match="Kitchen pendant did not switch on: Home Assistant at .* is not connected"):
        ha_hub.apply(HOME, "device.power", {"device": "light-pendant", "on": True}, caller=OWNER)
    assert time.monotonic() - start < 0.5


def test_undo_does_not_pretend_to_move_a_real_device(ha_hub, fake_ha):
    from twinspace.errors import Conflict

    ha_hub.apply(HOME, "device.light", {"device": "light-pendant", "brightness": 30}, caller=OWNER)
    ha_hub.bridges.settle()
    with pytest.raises(Conflict, match="Kitchen pendant is a real device and undo cannot move it back"):
        ha_hub.undo(HOME, OWNER)
    assert state(ha_hub, "light-pendant").brightness == 30 and fake_ha.states["light.kitchen_pendant"]["state"] == "on"


def test_pause_and_resume_on_a_media_player_are_media_pause_and_media_play(ha_hub, fake_ha):
    from twinspace.content import playback as rules

    fake_ha.set_state("media_player.kitchen_speaker", "playing", volume_level=0.3)

    def playing_there(home) -> None:  # noqa: ANN001 - a session the speaker was already playing
        home.playback["speaker-kitchen"] = rules.start("vod:big-wave", ha_hub.clock(), person="alex")

    ha_hub.administer("demo-loft", OWNER, action="test.seed", args={}, message="seeded", change=playing_there)
    ha_hub.apply("demo-loft", "playback.pause", {"target": "speaker-kitchen"}, caller=OWNER)
    assert fake_ha.calls[-1]["service"] == "media_pause"
    assert fake_ha.states["media_player.kitchen_speaker"]["state"] == "paused"
    ha_hub.apply("demo-loft", "playback.resume", {"target": "speaker-kitchen"}, caller=OWNER)
    assert fake_ha.calls[-1]["service"] == "media_play"
    assert ha_hub.home("demo-loft").playback["speaker-kitchen"].playing
