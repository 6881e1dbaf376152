"""An action's working copy (home/working_copy.py): the live state is its own, the rest is
shared with the state it was built on, and an action that changes a shared part is refused
without changing the home."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from twinspace.actions.registry import ActionContext, Caller, Outcome, Registry
from twinspace.home.homefile import HomeBundle
from twinspace.home.model import DeviceState, Panel, Playback, Pose, Surface
from twinspace.home.working_copy import SharedStateChanged, check_unchanged, live_copy
from twinspace.hub import Hub
from twinspace.store.sqlite import Store

from support import DEMO_NOW

HOME = "demo-loft"


def test_changing_the_live_state_of_a_live_copy_leaves_the_original_as_it_was(demo_bundle: HomeBundle) -> None:
    home = demo_bundle.home
    doc = home.model_dump_json()
    copy = live_copy(home)
    room, device = copy.devices()[0]
    device.state = device.state or DeviceState()
    device.state.brightness, device.state.on = 7, True
    room.devices.pop()
    copy.panels.append(Panel(id="p-new", content="vod:x", room=room.id, pose=Pose(position=(0, 1, 0)), size=(1, 1)))
    if home.panels:
        copy.panels[0].size_preset = "large"
    copy.playback["p-new"] = Playback(content="vod:x")
    for session in copy.playback.values():
        session.volume = 3
    for seat in copy.seats:
        seat.person = None
    check_unchanged(home, doc, "test")  # raises if any of that reached the original
    assert copy.model_dump_json() != doc
    assert copy.rooms[0].surfaces is home.rooms[0].surfaces  # the geometry is shared, not copied


def test_changing_a_shared_part_is_detected(demo_bundle: HomeBundle) -> None:
    home = demo_bundle.home
    doc = home.model_dump_json()
    surface = live_copy(home).rooms[0].surfaces[0]  # shared with the original
    surface.label = "OTHER" if surface.label != "OTHER" else "TABLE"
    with pytest.raises(SharedStateChanged, match="reshapes=True"):
        check_unchanged(home, doc, "test")


class _RoomArgs(BaseModel):
    room: str


def _registry_with_reshaping_action(reshapes: bool) -> Registry:
    registry = Registry()

    @registry.action("room.add_table", _RoomArgs, reshapes=reshapes)
    def add_table(ctx: ActionContext, args: _RoomArgs) -> Outcome:
        """Add a table top to a room (changes the room's surfaces, not its live state)."""
        room = ctx.home.room(args.room)
        assert room is not None
        room.surfaces.append(Surface(id="table-new", label="TABLE", pose=Pose(position=(0, 0.7, 0)), size=(1, 1)))
        return Outcome("room.add_table", {"room": args.room}, "Added a table")

    return registry


@pytest.mark.parametrize("reshapes", [False, True])
def test_an_action_that_reshapes_the_home_needs_a_whole_copy(store: Store, demo_bundle: HomeBundle,
                                                             owner: Caller, reshapes: bool) -> None:
    hub = Hub(store, registry=_registry_with_reshaping_action(reshapes), clock=lambda: DEMO_NOW)
    hub.import_bundle(demo_bundle)
    room = hub.home(HOME).rooms[0].id
    before = hub.home(HOME).model_dump_json()
    version = hub.version(HOME)
    if reshapes:
        hub.apply(HOME, "room.add_table", {"room": room}, caller=owner)
        assert hub.home(HOME).surface("table-new") is not None
        assert hub.version(HOME) == version + 1
    else:
        with pytest.raises(SharedStateChanged):
            hub.apply(HOME, "room.add_table", {"room": room}, caller=owner)
        # nothing was committed, and the hub serves the store's state, not the changed one
        assert hub.version(HOME) == version
        assert hub.home(HOME).model_dump_json() == before
        assert hub.home(HOME).surface("table-new") is None
