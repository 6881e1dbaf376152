"""Device words both layers share (`device_control`), the relative `device.light`, and the
model layer's device commands using them: "dim the lights" from the model's path works as
from the templates', groups act on all, "here" is the speaker's room."""

from __future__ import annotations

import pytest

from everyday_homes import MAPLE_LIGHTS, MAPLE_NOW, Home, ScriptedModel, applied
from twinspace.assistant import device_control as dc
from twinspace.assistant import grounding as g
from twinspace.errors import InvalidInput


@pytest.fixture
def maple(tmp_path) -> Home:  # noqa: ANN001
    home = Home(tmp_path, "maple", MAPLE_NOW)
    yield home
    home.store.close()


@pytest.mark.parametrize("text, quantity, change", [
    ("dim", "brightness", dc.Change(delta=-20)), ("a bit brighter", "brightness", dc.Change(delta=10)),
    ("darker, a lot", "brightness", dc.Change(delta=-40)), ("to the max", "brightness", dc.Change(level=100)),
    ("lowest", "brightness", dc.Change(level=1)), ("louder", "volume", dc.Change(delta=10)),
    ("a little quieter", "volume", dc.Change(delta=-5)), ("way down", "volume", dc.Change(delta=-25)),
    ("all the way up", "volume", dc.Change(level=100)), ("turn it down a bit more", "volume", dc.Change(delta=-5)),
])
def test_relative_change(text, quantity, change) -> None:
    assert dc.relative_change(text, quantity) == change


def test_relative_change_takes_the_size_from_the_whole_request() -> None:
    assert dc.relative_change("dim", "brightness", context="dim the lights a bit") == dc.Change(delta=-10)
    assert dc.relative_change("up", "volume", direction="up", context="turn it up a lot") == dc.Change(delta=25)
    assert dc.relative_change("the news", "volume") is None


def test_words() -> None:
    assert dc.names_here("turn off the lights in here") and dc.names_here("this room")
    assert dc.without_here("all the lights in this room") == "all the lights"
    assert dc.is_group("the lights") and dc.is_group("every lamp") and dc.is_group("both speakers")
    assert not dc.is_group("the lamp")
    assert dc.kinds_named("the outlet") == {"plug"} and dc.kinds_named("the media player") == {"tv", "speaker"}
    assert dc.power_meant("kill the lamp") is False and dc.power_meant("activate the plug") is True
    assert dc.power_meant("make the lamp go out") is False and dc.power_meant("the lamp") is None
    assert dc.lamps_only("turn off the lamps") and not dc.lamps_only("lamps and lights")


# --- the relative light action -------------------------------------------------------------

def test_device_light_takes_a_delta_and_clamps(maple) -> None:
    maple.act("device.light", {"device": "lamp-floor", "brightness": 60})
    assert maple.act("device.light", {"device": "lamp-floor", "delta": 50}).args == {
        "device": "lamp-floor", "brightness": 100, "delta": 50}
    maple.act("device.light", {"device": "lamp-floor", "brightness": 5})
    maple.act("device.light", {"device": "lamp-floor", "delta": -20})
    assert maple.state("lamp-floor").brightness == 1 and maple.state("lamp-floor").on  # dimming never switches off
    maple.act("device.power", {"device": "lamp-table", "on": False})
    maple.act("device.light", {"device": "lamp-table", "delta": 20})
    assert maple.state("lamp-table").brightness == 20 and maple.state("lamp-table").on  # from off: up from 0
    maple.act("device.power", {"device": "light-living", "on": True})  # on without a level: full
    assert maple.act("device.light", {"device": "light-living", "delta": -20}).args["brightness"] == 80


@pytest.mark.parametrize("args", [{"device": "lamp-floor"}, {"device": "lamp-floor", "brightness": 10, "delta": 5}])
def test_device_light_wants_exactly_one_of_brightness_and_delta(maple, args) -> None:
    version = maple.hub.version(maple.id)
    with pytest.raises(InvalidInput, match="args.brightness"):
        maple.act("device.light", args)
    assert maple.hub.version(maple.id) == version


# --- device grounding: groups, here, kinds ---------------------------------------------------

def _world(maple: Home, room: str) -> g.World:
    return g.World(home=maple.hub.home(maple.id), now=maple.now, room=room)


def _ids(found) -> list[str]:  # noqa: ANN001
    assert isinstance(found, list), found
    return [d.id for d in found]


def test_grounding_groups_and_here(maple) -> None:
    living, bedroom = _world(maple, "living"), _world(maple, "bedroom")
    assert _ids(g.find_devices(living, "the lights")) == MAPLE_LIGHTS["living"]
    assert _ids(g.find_devices(bedroom, "all the lights in here")) == MAPLE_LIGHTS["bedroom"]
    assert _ids(g.find_devices(living, "every lamp in the kitchen")) == MAPLE_LIGHTS["kitchen"]
    assert _ids(g.find_devices(living, "the lights in this room", kind="light")) == MAPLE_LIGHTS["living"]
    assert _ids(g.find_devices(living, "all the lights")) == [d for ds in MAPLE_LIGHTS.values() for d in ds]
    assert _ids(g.find_devices(living, "both lamps")) == ["lamp-floor", "lamp-table"]
    assert _ids(g.find_devices(_world(maple, "office"), "the outlet")) == ["plug-monitor"]


def test_grounding_a_place_the_home_lacks_names_nothing(maple) -> None:
    found = g.find_devices(_world(maple, "living"), "the garage light")
    assert isinstance(found, g.Refusal) and found.reason.endswith("there's no garage in this home")


# --- the model layer uses the same semantics ---------------------------------------------------

def test_dim_the_lights_from_the_model_layer(maple) -> None:
    maple.light_all(60)
    text = "the lights could do with being dimmer, a touch"  # phrased past the templates
    result = maple.say(text, "living", ScriptedModel({text: 'light what="the lights" level="dim"'}))
    assert result.layer == "model"
    assert applied(result) == [("device.light", {"device": d, "brightness": 50, "delta": -10})
                               for d in MAPLE_LIGHTS["living"]]


def test_a_level_cut_to_a_is_a_bit_not_one_per_cent(maple) -> None:
    maple.light_all(60)
    text = "the lights could be dimmer a bit"  # the model copied only "a" of "a bit"
    result = maple.say(text, "living", ScriptedModel({text: 'light what="the lights" level="a"'}))
    assert applied(result) == [("device.light", {"device": d, "brightness": 50, "delta": -10})
                               for d in MAPLE_LIGHTS["living"]]


def test_relative_light_without_naming_one_is_the_lights_here(maple) -> None:
    maple.light_all(60)
    text = "brighter, but only a little"
    result = maple.say(text, "kitchen", ScriptedModel({text: 'light level="brighter"'}))
    assert [o.args["device"] for o in result.applied] == MAPLE_LIGHTS["kitchen"]
    assert {o.args["delta"] for o in result.applied} == {10}


def test_power_in_here_from_the_model_layer(maple) -> None:
    maple.light_all()
    text = "everything in here that glows, off"
    result = maple.say(text, "bedroom", ScriptedModel({text: 'power what="the lights in here" on=no'}))
    assert applied(result) == [("device.power", {"device": d, "on": False}) for d in MAPLE_LIGHTS["bedroom"]]


def test_volume_step_size_from_the_model_layer(maple) -> None:
    maple.act("playback.play", {"content": "channel:newsnow.us", "target": "tv-living"})
    text = "the telly needs to be a lot louder"
    result = maple.say(text, "living", ScriptedModel({text: 'volume what="the telly" change=up'}))
    assert applied(result) == [("playback.volume", {"target": "tv-living", "delta": 25})]


def test_the_model_naming_a_missing_place_changes_nothing(maple) -> None:
    version = maple.hub.version(maple.id)
    text = "put the porch light on for me"
    result = maple.say(text, "living", ScriptedModel({text: 'power what="the porch light" on=yes'}))
    assert result.applied == [] and result.refusals == ["There's no porch in this home."]
    assert maple.hub.version(maple.id) == version


def test_a_missing_place_the_model_left_out_still_changes_nothing(maple) -> None:
    text = "turn on the lights in the garage"
    result = maple.say(text, "living", ScriptedModel({text: 'power what="the lights" on=yes'}))
    assert result.layer == "model" and result.applied == []
    assert result.refusals == ["There's no garage in this home."]


def test_make_it_brighter_all_the_way_from_the_model_layer(maple) -> None:
    maple.light_all(60)
    text = "make it brighter in here, all the way"
    result = maple.say(text, "office", ScriptedModel({text: 'light what="it" level="brighter"'}))
    assert applied(result) == [("device.light", {"device": "lamp-desk", "brightness": 100})]
