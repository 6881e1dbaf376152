"""panel.pose: an exact spot a person chose, checked against the placement rules and snapped."""

from __future__ import annotations

import pytest

from twinspace.errors import InvalidInput, NotFound, PlacementImpossible
from twinspace.hub import Hub

HOME = "demo-loft"
WEST = "lounge/wall-west"
FACING_EAST = (0.0, 0.7071068, 0.0, 0.7071068)


@pytest.fixture
def panel(hub: Hub, owner) -> dict:
    """A medium panel on the lounge's west wall (about 1.07 × 0.60 m)."""
    outcome = hub.apply(HOME, "panel.open", {"content": "app:photos", "placement": {"surface": WEST}}, caller=owner)
    return outcome.result["panel"]


def pose(hub: Hub, owner, **args):
    return hub.apply(HOME, "panel.pose", args, caller=owner)


def test_moves_along_the_wall_and_snaps_onto_it(hub: Hub, owner, panel) -> None:
    outcome = pose(hub, owner, panel=panel["id"], position=(-3.40, 1.5, 1.2), rotation=(0.0, 0.0, 0.0, 1.0))
    moved = hub.home(HOME).panel(panel["id"])
    assert moved.pose.position == pytest.approx((-3.49, 1.5, 1.2))
    assert moved.pose.rotation == pytest.approx(FACING_EAST)  # on a wall the wall decides the facing
    assert moved.surface == WEST and outcome.changed
    assert outcome.args == {"panel": panel["id"], "position": pytest.approx([-3.49, 1.5, 1.2]),
                            "rotation": pytest.approx(list(FACING_EAST)), "surface": WEST}
    assert hub.store.journal(HOME, 1)[0].action == "panel.pose"


def test_the_same_spot_is_unchanged(hub: Hub, owner, panel) -> None:
    assert not pose(hub, owner, panel=panel["id"], position=panel["pose"]["position"]).changed


@pytest.mark.parametrize("position, message", [
    ((-3.49, 1.5, 2.4), "stick out 0.43 m past the left edge of lounge/wall-west"),
    ((-3.49, 0.3, 0.0), "past the bottom edge of lounge/wall-west (panels keep their bottom 0.5 m above the floor)"),
    ((-3.49, 2.6, 0.0), "past the top edge"),
    ((-3.20, 1.5, 0.0), "the panel is 0.29 m off lounge/wall-west"),
])
def test_refuses_spots_off_the_surface(hub: Hub, owner, panel, position, message) -> None:
    before = hub.version(HOME)
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        pose(hub, owner, panel=panel["id"], position=position)
    assert hub.version(HOME) == before  # nothing half-written


def test_refuses_overlapping_panels_and_devices(hub: Hub, owner, panel) -> None:
    other = hub.apply(HOME, "panel.open", {"content": "app:photos", "placement": {"surface": WEST}},
                      caller=owner).result["panel"]
    with pytest.raises(InvalidInput, match="overlap another panel"):
        pose(hub, owner, panel=panel["id"], position=other["pose"]["position"])
    with pytest.raises(InvalidInput, match="overlap a device there"):  # the lounge TV on the north wall
        pose(hub, owner, panel=panel["id"], position=(0.0, 1.2, -2.45), surface="lounge/wall-north")


def test_surface_must_be_in_the_panels_room(hub: Hub, owner, panel) -> None:
    with pytest.raises(InvalidInput, match="kitchen/wall-north is in Kitchen, not in Lounge"):
        pose(hub, owner, panel=panel["id"], position=(5.25, 1.5, -2.49), surface="kitchen/wall-north")
    with pytest.raises(NotFound, match="no surface 'lounge/ceiling' in Lounge"):
        pose(hub, owner, panel=panel["id"], position=(0, 2.7, 0), surface="lounge/ceiling")


def test_stands_on_a_table_on_the_edge_it_faces_away_from(hub: Hub, owner, panel) -> None:
    hub.apply(HOME, "panel.resize", {"panel": panel["id"], "size": "small"}, caller=owner)
    facing_sofa = (0.0, 0.0, 0.0, 1.0)  # faces +Z, toward the sofa: stands on the table's far (−Z) edge
    pose(hub, owner, panel=panel["id"], position=(0.1, 0.9, 0.3), rotation=facing_sofa, surface="lounge/coffee-table")
    p = hub.home(HOME).panel(panel["id"])
    x, y, z = p.pose.position
    assert p.surface == "lounge/coffee-table" and x == pytest.approx(0.1)
    assert z == pytest.approx(0.2 - 0.3 + 0.05) and y == pytest.approx(0.42 + 0.01 + p.size[1] / 2)
    with pytest.raises(InvalidInput, match="not on lounge/coffee-table"):
        pose(hub, owner, panel=panel["id"], position=(2.0, 0.5, 0.2), surface="lounge/coffee-table")


def test_a_panel_too_big_for_the_surface_is_refused(hub: Hub, owner, panel) -> None:
    hub.apply(HOME, "panel.resize", {"panel": panel["id"], "size": "cinema"}, caller=owner)  # wider than 1.6 m
    with pytest.raises(PlacementImpossible, match="does not fit on lounge/window"):
        pose(hub, owner, panel=panel["id"], position=(3.48, 1.5, 0.8), surface="lounge/window")


def test_floating_keeps_the_pose_inside_the_room(hub: Hub, owner, panel) -> None:
    pose(hub, owner, panel=panel["id"], position=(0.0, 1.4, 0.5), rotation=(0.0, 0.0, 0.0, 1.0), floating=True)
    p = hub.home(HOME).panel(panel["id"])
    assert p.surface is None and p.pose.position == (0.0, 1.4, 0.5) and p.pose.rotation == (0.0, 0.0, 0.0, 1.0)
    with pytest.raises(InvalidInput, match="must stay inside Lounge"):
        pose(hub, owner, panel=panel["id"], position=(5.0, 1.4, 0.0))


@pytest.mark.parametrize("args, message", [
    ({"position": (0, 1, 0), "rotation": (0, 0, 0, 2)}, "unit quaternion"),
    ({"position": (0, float("nan"), 0)}, "finite"),
    ({"position": (0, 1, 0), "floating": True, "surface": WEST}, "either floats or goes on a surface"),
])
def test_arguments_are_validated(hub: Hub, owner, panel, args, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        pose(hub, owner, panel=panel["id"], **args)
