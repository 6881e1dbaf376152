"""The template layer (Home Assistant's sentences through hassil) in front of the model, and
the one rule that picks the layer: a template match whose slots ground in the home answers,
through the hub like any other turn; anything else goes to the model."""

from __future__ import annotations

import pytest

from everyday_homes import MAPLE_LIGHTS, MAPLE_NOW, SEOUL_NOW, Home, ScriptedModel, applied
from twinspace.actions.registry import Caller
from twinspace.assistant import templates


@pytest.fixture
def maple(tmp_path) -> Home:  # noqa: ANN001
    home = Home(tmp_path, "maple", MAPLE_NOW)
    yield home
    home.store.close()


@pytest.fixture
def seoul(tmp_path) -> Home:  # noqa: ANN001
    home = Home(tmp_path, "seoul", SEOUL_NOW)
    yield home
    home.store.close()


def off(*devices: str) -> list[tuple[str, dict]]:
    return [("device.power", {"device": d, "on": False}) for d in devices]


def test_a_template_turn_never_asks_the_model_and_says_which_layer(maple) -> None:
    model = ScriptedModel()
    result = maple.say("turn off the floor lamp", "living", model)
    assert applied(result) == off("lamp-floor")
    assert result.layer == "template" and model.asked == []
    assert result.understanding.raw == "HassTurnOff name='floor lamp'"


def test_what_the_templates_do_not_cover_goes_to_the_model(maple) -> None:
    model = ScriptedModel({"put the news on the wall to my left": 'show what="the news" where="the wall to my left"'})
    result = maple.say("put the news on the wall to my left", "living", model)
    assert result.layer == "model" and model.asked == ["put the news on the wall to my left"]
    assert [o.action for o in result.applied] == ["panel.open"]


def test_a_match_that_does_not_ground_goes_to_the_model(maple) -> None:
    # "play <title>" with no screen named matches HA's sentence, but where to show it is the model's call.
    model = ScriptedModel({"play harbor lights": 'show what="harbor lights"'})
    result = maple.say("play harbor lights", "living", model)
    assert result.layer == "model" and model.asked == ["play harbor lights"]


@pytest.mark.parametrize("text, room, lights", [
    ("turn off the lights", "living", MAPLE_LIGHTS["living"]),
    ("lights off", "kitchen", MAPLE_LIGHTS["kitchen"]),
    ("switch off the lights in this room", "bedroom", MAPLE_LIGHTS["bedroom"]),
    ("turn all the lights in here off", "living", MAPLE_LIGHTS["living"]),
    ("turn off every lamp in the kitchen", "living", MAPLE_LIGHTS["kitchen"]),
    ("kill the lights in the bedroom", "office", MAPLE_LIGHTS["bedroom"]),
    ("turn off the lamps", "living", ["lamp-floor", "lamp-table"]),
    ("turn off all the lights", "hallway", [d for ds in MAPLE_LIGHTS.values() for d in ds]),
])
def test_groups_and_areas(maple, text, room, lights) -> None:
    maple.light_all()
    result = maple.say(text, room)
    assert result.layer == "template"
    assert applied(result) == off(*lights)
    assert all(not maple.state(d).on for d in lights)


def test_a_singular_name_several_answer_to_asks_which_and_the_answer_goes_on(maple) -> None:
    version = maple.hub.version(maple.id)
    asked = maple.say("turn on the lamp", "living")
    assert asked.applied == [] and maple.hub.version(maple.id) == version
    assert asked.reply == "Which one: the floor lamp or the table lamp?"
    answered = maple.say("the table lamp", "living")
    assert applied(answered) == [("device.power", {"device": "lamp-table", "on": True})]


@pytest.mark.parametrize("text, room, device, on", [
    ("kill the kettle", "kitchen", "plug-kettle", False),
    ("deactivate the bedside lamp", "bedroom", "lamp-bedside", False),
    ("make the floor lamp go out", "living", "lamp-floor", False),
    ("cut the kettle plug", "kitchen", "plug-kettle", False),
    ("turn off the outlet", "office", "plug-monitor", False),
    ("disable the monitor outlet", "office", "plug-monitor", False),
    ("activate the tree plug", "living", "plug-tree", True),
    ("enable the heater socket", "bedroom", "plug-heater", True),
    ("turn on the socket", "office", "plug-monitor", True),
])
def test_everyday_verbs_and_kinds(maple, text, room, device, on) -> None:
    maple.act("device.power", {"device": device, "on": not on})
    result = maple.say(text, room)
    assert applied(result) == [("device.power", {"device": device, "on": on})]
    assert maple.state(device).on is on


def test_the_media_player_in_a_room_with_two_asks_which(maple) -> None:
    result = maple.say("turn on the media player", "kitchen")
    assert result.applied == [] and result.reply == "Which one: the kitchen TV or the kitchen speaker?"


@pytest.mark.parametrize("text, delta, level", [
    ("dim the lights", -20, 40), ("dim the lights a bit", -10, 50), ("dim the lights a lot", -40, 20),
    ("make it a bit brighter", 10, 70), ("turn the lights up", 20, 80), ("it's too dark in here", 20, 80),
])
def test_relative_brightness_without_a_number(maple, text, delta, level) -> None:
    maple.light_all(60)
    result = maple.say(text, "living")
    assert applied(result) == [("device.light", {"device": d, "brightness": level, "delta": delta})
                               for d in MAPLE_LIGHTS["living"]]
    assert maple.state("lamp-floor").brightness == level


def test_ends_of_the_scale(maple) -> None:
    maple.light_all(60)
    assert [o.args["brightness"] for o in maple.say("lights to max", "living").applied] == [100, 100, 100]
    low = maple.say("bedside lamp to the lowest setting", "bedroom")
    assert applied(low) == [("device.light", {"device": "lamp-bedside", "brightness": 1})]
    assert maple.state("lamp-bedside").on  # lowest is still on; off is "turn it off"


def _tv_playing(maple: Home) -> None:
    maple.act("playback.play", {"content": "channel:newsnow.us", "target": "tv-living"})


@pytest.mark.parametrize("text, args", [
    ("turn up the volume", {"delta": 10}), ("a bit louder please", {"delta": 5}),
    ("turn the volume down a lot", {"delta": -25}), ("set the volume to 30", {"level": 30}),
    ("volume to the max", {"level": 100}), ("mute the tv", {"mute": True}),
])
def test_volume(maple, text, args) -> None:
    _tv_playing(maple)
    result = maple.say(text, "living")
    assert result.layer == "template"
    assert applied(result) == [("playback.volume", {"target": "tv-living", **args})]


def test_play_a_title_on_a_named_rooms_tv(maple) -> None:
    result = maple.say("play harbor lights on the kitchen tv", "living")
    assert applied(result)[0][0] == "playback.play"
    assert result.applied[0].args["content"] == "vod:harbor-lights"
    assert result.applied[0].args["target"] == "tv-kitchen"
    assert maple.hub.home(maple.id).playback["tv-kitchen"].content == "vod:harbor-lights"


def test_an_app_on_a_named_tv_is_launched(maple) -> None:
    result = maple.say("put youtube on the kitchen tv", "living")
    assert result.layer == "template"
    assert [o.action for o in result.applied] == ["app.launch"]
    assert result.applied[0].args["device"] == "tv-kitchen"


def test_the_speakers_rating_limit_holds_in_the_template_layer(maple) -> None:
    leo = Caller(maple.id, "leo", "quest-leo")
    result = maple.say("play night shift on the kitchen tv", "kitchen", caller=leo)
    assert result.layer == "template" and result.applied == [] and result.refusals
    assert "tv-kitchen" not in maple.hub.home(maple.id).playback


def test_switching_off_a_playing_tv_still_asks_first(maple) -> None:
    _tv_playing(maple)
    result = maple.say("turn off the tv", "living")
    assert result.layer == "template" and result.applied == []
    assert [(p.action, p.args) for p in result.pending] == [("device.power", {"device": "tv-living", "on": False})]


@pytest.mark.parametrize("text, room", [
    ("turn on the tv in the bedroom", "living"),  # the bedroom has no TV
    ("turn on the garage light", "living"),  # there is no garage
    ("open the blinds", "living"), ("set the thermostat to 70", "kitchen"), ("never mind", "living"),
])
def test_a_request_that_names_nothing_here_changes_nothing(maple, text, room) -> None:
    version = maple.hub.version(maple.id)
    model = ScriptedModel({"turn on the garage light": 'power what="the garage light" on=yes',
                           "open the blinds": 'power what="the blinds" on=yes'})
    result = maple.say(text, room, model)
    assert result.applied == [] and result.pending == []
    assert maple.hub.version(maple.id) == version


# --- Korean ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, room, expected", [
    ("불 꺼줘", "living", off("light-living", "lamp-stand")),
    ("스탠드를 꺼줘", "living", off("lamp-stand")),
    ("주방 불 다 꺼줘", "living", off("light-kitchen", "light-hood")),
    ("가습기 좀 꺼주세요", "master", off("plug-humidifier")),
    ("불 좀 어둡게 해줘", "living", [("device.light", {"device": d, "brightness": 40, "delta": -20})
                                 for d in ("light-living", "lamp-stand")]),
    ("스탠드 밝기 50%로 해줘", "living", [("device.light", {"device": "lamp-stand", "brightness": 50})]),
])
def test_korean_device_control(seoul, text, room, expected) -> None:
    for device in ("light-living", "lamp-stand", "light-kitchen", "light-hood"):
        seoul.act("device.light", {"device": device, "brightness": 60})
    seoul.act("device.power", {"device": "plug-humidifier", "on": True})
    model = ScriptedModel()
    result = seoul.say(text, room, model)
    assert result.layer == "template" and model.asked == []
    assert applied(result) == expected


def test_korean_volume(seoul) -> None:
    seoul.act("playback.play", {"content": "channel:kbs1.kr", "target": "tv-living"})
    result = seoul.say("소리 조금만 키워줘", "living")
    assert applied(result) == [("playback.volume", {"target": "tv-living", "delta": 5})]


def test_korean_the_templates_miss_changes_nothing_and_never_reaches_the_english_model(seoul) -> None:
    model = ScriptedModel()
    version = seoul.hub.version(seoul.id)
    result = seoul.say("차고 불 켜줘", "living", model)  # there is no garage
    assert result.applied == [] and model.asked == [] and seoul.hub.version(seoul.id) == version


def test_language_of() -> None:
    assert templates.language_of("불 꺼줘") == "ko"
    assert templates.language_of("lights off") == "en"


# --- replies in the request's language (templates/responses.py) ---------------------------

@pytest.mark.parametrize("text, room, reply", [
    ("불 꺼줘", "living", "조명을 껐습니다"),  # HA's own response for a room's lights, said once for two
    ("스탠드를 꺼줘", "living", "스탠드 껐습니다"),  # HA's, with the name as said
    ("스탠드 밝기 50%로 해줘", "living", "밝기가 설정되었습니다"),
    ("불 좀 어둡게 해줘", "living", "더 어둡게 했습니다"),  # twinspace's own (ko.yaml): HA has none
    ("취소", "living", "알겠습니다"),
    ("주방 가습기 꺼줘", "living", "주방에서 가습기이라는 기기를 찾을 수 없습니다"),  # HA's no_entity_in_area
    ("TV 꺼줘", "kids", "거실 TV, 안방 TV 중 어느 것을 말씀하시는 건가요?"),
    ("차고 불 켜줘", "living", "죄송합니다, 이해하지 못했습니다"),  # HA's no_intent: no template, no model
])
def test_korean_requests_are_answered_in_korean(seoul, text, room, reply) -> None:
    for device in ("light-living", "lamp-stand"):
        seoul.act("device.light", {"device": device, "brightness": 60})
    result = seoul.say(text, room, ScriptedModel())
    assert result.reply == reply


def test_a_korean_turn_shows_its_reply_on_every_step_it_took(seoul) -> None:
    result = seoul.say("불 꺼줘", "living", ScriptedModel())
    assert len(result.applied) == 2 and result.reply == "조명을 껐습니다"


def test_the_hubs_own_refusals_keep_their_words_in_korean(seoul) -> None:
    # Nothing plays, so the hub refuses the volume change; the hub's reason has no translation.
    result = seoul.say("볼륨 30으로 해줘", "living", ScriptedModel())
    assert result.layer == "template" and result.applied == []
    assert "nothing is playing" in result.reply


def test_english_replies_stay_twinspaces_own(maple) -> None:
    result = maple.say("turn off the floor lamp", "living", ScriptedModel())
    assert result.reply != "" and "껐" not in result.reply and result.reply == result.applied[0].message
