"""Grounding words in the live demo home (no model involved)."""

from datetime import timedelta

import pytest

from support import DEMO_NOW
from twinspace.assistant import grounding as g
from twinspace.content.services import ContentServices
from twinspace.demo import write_demo_home
from twinspace.geometry import Viewer
from twinspace.home.homefile import read_home_dir
from twinspace.home.model import Playback
from twinspace.hub import Hub
from twinspace.store.sqlite import Store


@pytest.fixture
def world(tmp_path):
    store = Store(tmp_path / "db.sqlite")
    services = ContentServices(store, clock=lambda: DEMO_NOW)
    hub = Hub(store, services=services, clock=lambda: DEMO_NOW)
    hub.import_bundle(read_home_dir(write_demo_home(tmp_path / "demo", DEMO_NOW)))
    home = hub.home("demo-loft").model_copy(deep=True)
    return g.World(home=home, now=DEMO_NOW, viewer=Viewer((0, 1.2, 1.8), 0), room="lounge",
                   person=home.person("alex"), catalog=services.catalog)


@pytest.mark.parametrize("words, ref", [
    ("arena sports", "channel:arena.demo"), ("the kids channel", "channel:littleplanet.demo"),
    ("photos", "app:photos"), ("the weather app", "app:weather"),
])
def test_content(world, words, ref) -> None:
    assert g.find_content(world, words).ref == ref


def test_a_title_on_air_is_its_channel_else_the_title_on_demand(world) -> None:
    assert g.find_content(world, "the big wave").ref == "channel:filmclub.demo"  # on Film Club now
    world.now = DEMO_NOW + timedelta(hours=2)
    assert g.find_content(world, "the big wave").ref == "vod:big-wave"


@pytest.mark.parametrize("words, placement", [
    ("the wall to my right", {"surface": "WALL_FACE", "side": "right"}),
    ("the right-hand wall", {"surface": "WALL_FACE", "side": "right"}),
    ("the coffee table", {"surface": "lounge/coffee-table"}),
    ("behind me", {"side": "behind"}),
])
def test_places(world, words, placement) -> None:
    assert g.find_place(world, words).placement == placement


def test_places_name_screens_wearables_and_missing_rooms(world) -> None:
    assert g.find_place(world, "the telly").device == "tv-lounge"
    assert g.find_place(world, "my glasses").wearable == "glasses-alex"
    refusal = g.find_place(world, "the bathroom wall")
    assert isinstance(refusal, g.Refusal) and "no bathroom" in refusal.reason


@pytest.mark.parametrize("words, ids", [
    ("the floor lamp", ["lamp-floor"]), ("the big light", ["light-ceiling"]),
    ("the kitchen pendant", ["light-pendant"]), ("the soundbar", ["speaker-lounge"]),
])
def test_devices(world, words, ids) -> None:
    assert [d.id for d in g.find_devices(world, words)] == ids


def test_ambiguous_device_asks(world) -> None:
    refusal = g.find_devices(world, "the speaker")
    assert isinstance(refusal, list) or "which one" in refusal.reason


def test_targets_by_what_they_show(world) -> None:
    home = world.home
    home.playback["tv-lounge"] = Playback(content="channel:arena.demo")
    home.playback["p9"] = Playback(content="vod:big-wave")
    assert g.find_target(world, "the match") == "tv-lounge"  # sport on a channel is "the match"
    assert isinstance(g.default_target(world), g.Refusal)  # two things play: which one?
    world.utterance = "turn the big wave down"
    assert g.default_target(world) == "p9"  # ... unless the request names one
