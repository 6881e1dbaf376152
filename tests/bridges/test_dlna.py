"""The DLNA renderer bridge: async-upnp-client's DmrDevice against a fake renderer built
with its own server side (UpnpServer) on 127.0.0.20."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import anyio
import pytest

from bridge_helpers import OWNER, RENDERER, RENDERER_HOST, wait_for
from twinspace.bridges.base import BridgeError
from twinspace.bridges.dlna import config_flow
from twinspace.errors import DeviceNotResponding

HOME = "demo-loft"
STREAM = "http://192.0.2.5:8080/media/vod/big-wave/index.m3u8?token=dlna-media-token"


def state(hub):
    return hub.home(HOME).device_state(RENDERER)


def play(hub, content: str = "vod:big-wave"):
    return hub.apply(HOME, "playback.play", {"content": content, "target": RENDERER}, caller=OWNER)


def test_ssdp_search_finds_the_renderer_and_its_description_is_read(fake_renderer):
    # Linux's lo has no MULTICAST flag (a search for 239.255.255.250 would leave by the LAN
    # interface), so the M-SEARCH goes to the renderer's own address: the same SSDP search
    # and response, unicast (the library's `target`).
    found = anyio.run(lambda: config_flow.discover(1, target=(RENDERER_HOST, fake_renderer.ssdp_port)))
    assert [(d.domain, d.host, d.properties["location"]) for d in found] == [
        ("dlna", RENDERER_HOST, fake_renderer.location)]
    renderer = anyio.run(config_flow.describe, fake_renderer.location)
    assert (renderer.name, renderer.model, renderer.volume) == ("Kitchen renderer", "FakeDMR", True)


def test_no_renderer_at_the_address_is_one_clear_sentence():
    with pytest.raises(BridgeError, match=r"no UPnP device answered at http://127\.0\.0\.21:9/device\.xml .*discover"):
        anyio.run(config_flow.describe, "http://127.0.0.21:9/device.xml")


def test_after_connecting_the_twin_shows_the_renderer(dlna_hub):
    s = state(dlna_hub)
    assert (s.available, s.on, s.volume, s.muted) == (True, True, 30, False)


def test_play_on_the_renderer_then_pause_resume_and_volume(dlna_hub, fake_renderer):
    outcome = play(dlna_hub)
    assert outcome.message.startswith("Playing vod:big-wave on Soundbar")  # (no catalogue in this hub)
    assert fake_renderer.uris == [STREAM]  # the hub's HLS, at the address the renderer reaches the hub
    assert fake_renderer.received[:2] == ["SetAVTransportURI", "Play"]
    assert fake_renderer.transport_state == "PLAYING"
    assert state(dlna_hub).playing == "vod:big-wave"

    dlna_hub.apply(HOME, "playback.pause", {"target": RENDERER}, caller=OWNER)
    assert fake_renderer.transport_state == "PAUSED_PLAYBACK"
    dlna_hub.apply(HOME, "playback.resume", {"target": RENDERER}, caller=OWNER)
    assert fake_renderer.transport_state == "PLAYING"

    dlna_hub.apply(HOME, "playback.volume", {"target": RENDERER, "level": 20}, caller=OWNER)
    assert fake_renderer.volume == 20 and state(dlna_hub).volume == 20
    dlna_hub.apply(HOME, "playback.volume", {"target": RENDERER, "mute": True}, caller=OWNER)
    assert fake_renderer.muted is True and state(dlna_hub).muted is True


def test_the_renderer_s_own_volume_change_shows_in_the_twin(dlna_hub, fake_renderer):
    play(dlna_hub)
    fake_renderer.press_volume(45)
    took = wait_for(lambda: state(dlna_hub).volume == 45, what="the renderer's volume reaching the twin")
    assert dlna_hub.home(HOME).playback[RENDERER].volume == 45  # the session's volume is the renderer's
    print(f"renderer volume → twin: {took * 1000:.1f} ms")
    dlna_hub.bridges.settle()
    entry = next(e for e in dlna_hub.store.journal(HOME, 5) if e.action == "device.reported")
    assert (entry.person, entry.device, entry.args["volume"]) == (None, RENDERER, 45)


def test_handoff_from_the_renderer_to_a_headset_resumes_within_a_second_of_its_position(dlna_hub, fake_renderer):
    # The hub's clock is fixed in this test, so only the renderer's own GetPositionInfo can
    # say how far playback got.
    play(dlna_hub)
    time.sleep(1.6)  # watching on the renderer
    outcome = dlna_hub.apply(HOME, "playback.handoff", {"target": RENDERER, "to": "quest-alex"}, caller=OWNER)
    resumed = outcome.result["playback"]["position_s"]
    [stopped_at] = fake_renderer.stopped_at
    assert abs(resumed - stopped_at) < 1.0, (resumed, stopped_at)  # the fake counts whole seconds, as many do
    print(f"renderer stopped at {stopped_at:.2f} s → headset resumes at {resumed:.2f} s")
    assert fake_renderer.transport_state == "STOPPED"
    assert RENDERER not in dlna_hub.home(HOME).playback
    headset = dlna_hub.home(HOME).playback["quest-alex"]
    assert headset.content == "vod:big-wave" and headset.playing and headset.position_s == resumed


def test_a_renderer_killed_mid_command_is_unavailable_then_matches_again(dlna_hub, fake_renderer):
    fake_renderer.hang = True
    errors = []

    def command() -> None:
        try:
            play(dlna_hub)
        except DeviceNotResponding as e:
            errors.append(e.detail)

    worker = threading.Thread(target=command)
    worker.start()
    wait_for(lambda: "SetAVTransportURI" in fake_renderer.received, what="the command reaching the renderer")
    fake_renderer.unplug()
    worker.join(5)
    assert errors and errors[0].startswith(
        f"Soundbar did not start playing vod:big-wave: the DLNA renderer at {RENDERER_HOST} did not answer"), errors
    assert "marked unavailable" in errors[0]
    dlna_hub.bridges.settle()
    s = state(dlna_hub)
    assert s.available is False and s.playing is None  # the twin never shows what the renderer did not reach
    assert RENDERER not in dlna_hub.home(HOME).playback

    fake_renderer.hang = False
    fake_renderer.set_volume(40)  # its knob turned while it was away
    fake_renderer.plug()
    wait_for(lambda: state(dlna_hub).available is True, what="the bridge reconnecting")
    dlna_hub.bridges.settle()
    assert state(dlna_hub).volume == 40
    play(dlna_hub)  # and it takes commands again
    assert fake_renderer.transport_state == "PLAYING"


def test_a_renderer_that_does_not_answer_within_2_s_is_named(dlna_hub, fake_renderer):
    fake_renderer.hang = True
    start = time.monotonic()
    with pytest.raises(DeviceNotResponding, match=r"^Soundbar did not start playing vod:big-wave: no confirmation "
                                                  r"within 2 s\. It is marked unavailable"):
        play(dlna_hub)
    assert time.monotonic() - start < 4.0
    dlna_hub.bridges.settle()
    reported = [e.args for e in dlna_hub.store.journal(HOME, 10) if e.action == "device.reported"]
    assert {"device": RENDERER, "source": "bridge", "available": False} in reported, reported
    # The bridge reconnects to a renderer this slow (and it answers its description and
    # queries, only transport commands hang): available again, matching the renderer.
    wait_for(lambda: state(dlna_hub).available is True, what="the bridge reconnecting")


def test_paused_and_stopped_at_the_renderer_s_own_remote_the_session_follows(dlna_hub, fake_renderer):
    play(dlna_hub)
    time.sleep(1.2)
    fake_renderer.press_pause()
    wait_for(lambda: not dlna_hub.home(HOME).playback[RENDERER].playing, what="the session pausing")
    paused = dlna_hub.home(HOME).playback[RENDERER]
    assert abs(paused.position_s - fake_renderer.position()) < 1.0  # where the renderer paused, not the hub's clock
    dlna_hub.bridges.settle()
    entry = next(e for e in dlna_hub.store.journal(HOME, 5) if e.action == "device.reported")
    assert (entry.person, entry.args.get("transport")) == (None, "paused")
    fake_renderer.press_stop()
    wait_for(lambda: RENDERER not in dlna_hub.home(HOME).playback, what="the session ending")
    assert state(dlna_hub).playing is None


def test_diagnostics_show_the_subscription_and_redact_the_media_token(dlna_hub, fake_renderer):
    [diagnostics] = dlna_hub.bridges.diagnostics(HOME)
    assert (diagnostics["domain"], diagnostics["connected"], diagnostics["subscribed"]) == ("dlna", True, True)
    assert diagnostics["media_token"] == "**REDACTED**" and "dlna-media-token" not in str(diagnostics)
    assert diagnostics["renderer"]["name"] == "Kitchen renderer"


def test_what_a_renderer_cannot_do_is_a_refusal_and_it_stays_available(dlna_hub, fake_renderer):
    from twinspace.errors import Conflict

    with pytest.raises(Conflict, match="^Soundbar could not switch off: a DLNA renderer cannot be switched off"):
        dlna_hub.apply(HOME, "device.power", {"device": RENDERER, "on": False}, caller=OWNER, confirmed=True)
    dlna_hub.bridges.settle()
    assert state(dlna_hub).available is True and state(dlna_hub).on is True


def test_a_renderer_without_hls_is_given_the_title_s_own_file(hub):
    from bridge_helpers import add_renderer, running
    from doubles.dlna import FakeRenderer

    with FakeRenderer("127.0.0.21", hls=False) as renderer:
        add_renderer(hub, renderer)
        with contextmanager(running)(hub, RENDERER):
            play(hub)
            assert renderer.uris == ["http://192.0.2.5:8080/media/vod/big-wave?token=dlna-media-token"]
            metadata = renderer.avt.state_variable("AVTransportURIMetaData").value
            assert 'protocolInfo="http-get:*:video/mp4:*"' in metadata
            assert renderer.transport_state == "PLAYING"
