"""Grounding words a speech recogniser misheard (no model involved).

Whisper turns "turn off the lamp" into "turn off the ramp" and "football" into "foot all";
grounding recovers what was meant when one thing clearly is, asks when it is a close call,
and refuses when nothing is close. Words that already name something are never changed.
"""

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import DEMO_NOW, shared_path
from twinspace.assistant import grounding as g
from twinspace.assistant import soundalike
from twinspace.assistant.ir import Call
from twinspace.assistant.planner import plan
from twinspace.content.services import ContentServices
from twinspace.demo import write_demo_home
from twinspace.geometry import Viewer
from twinspace.home.homefile import read_home_dir
from twinspace.home.model import Playback
from twinspace.hub import Hub
from twinspace.store.sqlite import Store

DEV_NOW = datetime.fromisoformat("2026-11-28T20:05:00+09:00")


def _world(tmp: Path, bundle, home_id: str, now: datetime, room: str) -> g.World:
    store = Store(tmp / "db.sqlite")
    services = ContentServices(store, clock=lambda: now)
    hub = Hub(store, services=services, clock=lambda: now)
    hub.import_bundle(bundle)
    home = hub.home(home_id).model_copy(deep=True)
    return g.World(home=home, now=now, viewer=Viewer((0, 1.2, 1.8), 0), room=room, catalog=services.catalog)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> g.World:
    tmp = tmp_path_factory.mktemp("demo")
    return _world(tmp, read_home_dir(write_demo_home(tmp / "home", DEMO_NOW)), "demo-loft", DEMO_NOW, "lounge")


@pytest.fixture(scope="module")
def dev(tmp_path_factory) -> g.World:
    bundle = read_home_dir(shared_path("fixtures", "dev-home"))
    return _world(tmp_path_factory.mktemp("dev"), bundle, bundle.home.id, DEV_NOW, "living")


def _ids(found) -> list[str]:
    assert isinstance(found, list), found
    return [d.id for d in found]


def _asks(found, *names: str) -> str:
    """The refusal is a question naming every one of `names`."""
    assert isinstance(found, g.Refusal), found
    assert found.reason.endswith("?") and "did you mean" in found.reason, found.reason
    for name in names:
        assert name in found.reason, (name, found.reason)
    return found.reason


# --- sound-alike similarity ------------------------------------------------------------

@pytest.mark.parametrize("heard, meant", [
    ("ramp", "lamp"), ("lamb", "lamp"), ("flor", "floor"), ("sealing", "ceiling"), ("whether", "weather"),
    ("foot all", "football"), ("kid's tv", "kids tv"), ("news 24", "news twenty four"), ("won", "one"),
    ("sports to", "sports two"), ("sound bar", "soundbar"), ("fotos", "photos"),
])
def test_misheard_words_sound_like_what_was_meant(heard, meant) -> None:
    assert soundalike.similarity(heard, meant) >= soundalike.SURE


@pytest.mark.parametrize("heard, other", [
    ("dishwasher", "speaker"), ("fan", "lamp"), ("door", "telly"), ("film", "floor"), ("lamp", "light"),
    ("quantum", "kingdoms"), ("news", "music"),
])
def test_different_words_do_not(heard, other) -> None:
    assert soundalike.similarity(heard, other) < soundalike.ASK


def test_a_correction_needs_a_clear_winner() -> None:
    (fix,) = soundalike.correct(["ramp"], ["lamp", "floor", "ceiling"])
    assert fix.sure and fix.meant[0] == "lamp"
    (fix,) = soundalike.correct(["ramp"], ["lamp", "rump", "floor"])  # lamp and rump: as close
    assert not fix.sure and set(fix.options) == {"lamp", "rump"}
    (fix,) = soundalike.correct(["xyzzy"], ["lamp", "floor", "ceiling"])
    assert fix.meant == () and not fix.options
    assert soundalike.correct(["the", "floor", "lamp"], ["floor", "lamp"], keep=["the"]) == []
    (fix,) = soundalike.correct(["bigwave"], ["big", "wave", "news"])  # merged words split
    assert fix.sure and fix.meant[0] == "big wave"


# --- devices ---------------------------------------------------------------------------

def test_ramp_is_the_lamp(dev) -> None:
    assert _ids(g.find_devices(dev, "the ramp")) == ["lamp-corner"]  # the living room's lamp
    assert _ids(g.find_devices(dev, "the corner lamb")) == ["lamp-corner"]
    steps = plan(dev, Call("power", {"what": "the ramp", "on": "no"}))
    assert [(s.action, s.args) for s in steps] == [("device.power", {"device": "lamp-corner", "on": False})]


def test_misheard_words_next_to_heard_ones(demo) -> None:
    # Today "the light" alone is a tie in the lounge; the misheard word settles it.
    assert _ids(g.find_devices(demo, "the sealing light")) == ["light-ceiling"]
    assert _ids(g.find_devices(demo, "the flower lamp")) == ["lamp-floor"]
    assert _ids(g.find_devices(demo, "the ramps")) == ["lamp-floor", "light-ceiling"]  # plural: the lounge's lamps


def test_a_close_call_is_asked_naming_the_candidates(demo, dev) -> None:
    reason = _asks(g.find_devices(demo, "the ramp"), "'ramp'", "the floor lamp", "the ceiling light")
    assert reason == "I heard 'ramp' — did you mean the floor lamp or the ceiling light?"
    nowhere = g.World(home=dev.home, now=dev.now, catalog=dev.catalog)  # no room to prefer
    _asks(g.find_devices(nowhere, "turn off the ramp"), "the corner lamp", "the bedside lamp")
    # Heard close to one meaning but not close enough to act on: ask about it.
    assert g.find_devices(dev, "the lump").reason == "I heard 'lump' — did you mean the corner lamp?"
    step, = plan(dev, Call("power", {"what": "the lump", "on": "yes"}))
    assert step.refused and step.action is None and step.say == "I heard 'lump' — did you mean the corner lamp?"


def test_a_far_off_word_is_refused_not_guessed(demo, dev) -> None:
    for world, room in ((demo, "lounge"), (dev, "living room")):
        for words in ("the dishwasher", "the garage door", "the fan", "the damp", "to my right", "send"):
            found = g.find_devices(world, words)
            assert isinstance(found, g.Refusal)
            assert found.reason == f"I can't find {words!r}" + (": there's no garage in this home" if "garage" in words
                                                                 else f" in the {room}")


@pytest.mark.parametrize("words, ids", [
    ("the floor lamp", ["lamp-floor"]), ("the ceiling light", ["light-ceiling"]),
    ("the soundbar", ["speaker-lounge"]), ("the kitchen pendant", ["light-pendant"]),
    ("the lounge tv", ["tv-lounge"]), ("the kitchen speaker", ["speaker-kitchen"]),
])
def test_exact_names_still_win(demo, words, ids) -> None:
    assert _ids(g.find_devices(demo, words)) == ids


def test_ties_between_names_are_not_taken_for_mishearing(demo) -> None:
    found = g.find_devices(demo, "the lamp")  # every word names something: the old question stands
    assert isinstance(found, g.Refusal) and found.reason == "which one: Floor lamp, Ceiling light?"


MISHEARD = ["ramp", "lamb", "sealing", "flor", "flower", "sound", "bar", "kitchin", "pendent", "xyzzy", "garage",
            "all", "lights", "the", "speeker", "tele", "lite"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_correction_never_changes_what_names_already_find(demo, data) -> None:
    """Whenever the words as heard name devices, that is the answer, misheard words or not."""
    names = [d.name for _, d in demo.home.devices()]
    words = data.draw(st.lists(st.one_of(st.sampled_from(names), st.sampled_from(MISHEARD),
                                         st.text("abcdeilmnoprst", min_size=1, max_size=8)), min_size=1, max_size=4))
    text = " ".join(words)
    as_heard = g._pick_devices(demo, text, g._device_scores(demo, text, None))
    found = g.find_devices(demo, text)
    if isinstance(as_heard, list):
        assert _ids(found) == _ids(as_heard)
    else:  # refused as heard: corrected, asked, or refused the same way
        assert isinstance(found, list) or found == as_heard or "did you mean" in found.reason


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_device_named_exactly_is_never_swapped_for_a_sound_alike(demo, data) -> None:
    _, device = data.draw(st.sampled_from(demo.home.devices()))
    noise = data.draw(st.sampled_from(["", "ramp", "lamb", "xyzzy", "sealing", "please"]))
    found = g.find_devices(demo, f"the {device.name} {noise}".strip())
    assert device.id in _ids(found)


# --- content ---------------------------------------------------------------------------

@pytest.mark.parametrize("words, ref", [
    ("foot all", "channel:sportsone.kr"), ("football", "channel:sportsone.kr"),
    ("news twenty four", "channel:news24.kr"), ("news 24", "channel:news24.kr"), ("kid's tv", "channel:kidstv.kr"),
    ("sport's one", "channel:sportsone.kr"), ("sports won", "channel:sportsone.kr"),
    ("sports to", "channel:sportstwo.kr"), ("sports too", "channel:sportstwo.kr"),  # "two", misheard
    ("channel five", "channel:cinemaplus.kr"), ("channel 5", "channel:cinemaplus.kr"),
    ("channel one", "channel:news24.kr"), ("the whether channel", "channel:weathernow.kr"),
    ("star fall", "vod:starfall"), ("net flicks", "app:netflix"),
])
def test_misheard_content_in_the_dev_home(dev, words, ref) -> None:
    assert g.find_content(dev, words).ref == ref


@pytest.mark.parametrize("words, ref", [
    ("foot all", "channel:arena.demo"), ("fotos", "app:photos"), ("jas", "channel:lofi.demo"),
    ("the noos", "channel:hubnews.demo"), ("channel five", "channel:natureone.demo"),
    ("little plan it", "channel:littleplanet.demo"),
])
def test_misheard_content_in_the_demo_home(demo, words, ref) -> None:
    assert g.find_content(demo, words).ref == ref


def test_far_off_content_is_refused(demo, dev) -> None:
    for world in (demo, dev):
        for words in ("xyzzy", "quantum physics"):
            found = g.find_content(world, words)
            assert isinstance(found, g.Refusal) and found.reason == f"I couldn't find anything called {words!r}"


def test_every_channel_and_app_named_exactly_is_itself(demo, dev) -> None:
    for world in (demo, dev):
        for ch in world.catalog.channels(world.home.id):
            assert g.find_content(world, ch.name).ref == ch.ref
        for app in world.home.content.apps:
            assert g.find_content(world, app.name).ref == f"app:{app.id}"


# --- what is open ----------------------------------------------------------------------

def test_misheard_words_find_what_is_playing(demo) -> None:
    saved = dict(demo.home.playback)
    demo.home.playback.clear()
    demo.home.playback["tv-lounge"] = Playback(content="channel:arena.demo")  # Tennis Classics on now
    demo.home.playback["p9"] = Playback(content="vod:big-wave")
    try:
        assert g.find_target(demo, "the ten is") == "tv-lounge"
        assert g.find_target(demo, "the bigwave") == "p9"
        assert isinstance(g.find_target(demo, "the xyzzy"), g.Refusal)
    finally:
        demo.home.playback.clear()
        demo.home.playback.update(saved)


def test_turning_off_a_misheard_device_asks_which_rather_than_refusing(tmp_path) -> None:
    """The model reads "turn off the ramp" as closing something; no panel sounds like it, but
    two lights of the demo lounge do (both answer to "lamp")."""
    from support import DEMO_NOW
    from twinspace.assistant import planner
    from twinspace.assistant.grounding import World
    from twinspace.assistant.ir import Call
    from twinspace.demo import write_demo_home
    from twinspace.home.homefile import read_home_dir

    home = read_home_dir(write_demo_home(tmp_path / "demo", DEMO_NOW)).home
    world = World(home=home, now=DEMO_NOW, room="lounge")
    (step,) = planner.plan(world, Call("close", {"what": "the ramp"}))
    assert step.action is None and step.refused
    assert step.say == "I heard 'ramp' — did you mean the floor lamp or the ceiling light?"
