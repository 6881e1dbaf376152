import pytest

from twinspace.errors import InvalidInput, NotFound, PlacementImpossible
from twinspace.geometry import Viewer, rects_overlap

SOFA = Viewer((0.0, 1.2, 1.8), 0.0)  # seated on the lounge sofa, facing the TV


def open_(hub, owner, content, **placement):
    return hub.apply("demo-loft", "panel.open", {"content": content, "placement": placement or None},
                     caller=owner, viewer=SOFA)


def test_open_on_the_wall_to_my_right(hub, owner) -> None:
    out = open_(hub, owner, "channel:arena.demo", side="right")
    assert out.args == {"content": "channel:arena.demo", "placement": {"surface": "lounge/wall-east", "size": "medium"}}
    panel = hub.home("demo-loft").panels[0]
    assert (panel.id, panel.surface, panel.room) == ("p1", "lounge/wall-east", "lounge")
    assert hub.home("demo-loft").playback["p1"].playing


def test_open_beside_not_over_the_tv(hub, owner) -> None:
    open_(hub, owner, "channel:hubnews.demo", side="front", size="large")
    home = hub.home("demo-loft")
    panel = home.panels[0]
    assert panel.surface == "lounge/wall-north"
    tv = home.device("tv-lounge")[1]
    wall = home.surface("lounge/wall-north")[1].frame
    p = wall.to_local(panel.pose.position)
    t = wall.to_local(tv.pose.position)
    assert not rects_overlap((p[0], p[1]), panel.size, (t[0], t[1]), tv.size)


def test_panels_never_overlap_and_a_full_wall_says_so(hub, owner) -> None:
    opened = []
    with pytest.raises(PlacementImpossible, match="wall"):
        for _ in range(30):
            opened.append(open_(hub, owner, "app:photos", surface="lounge/wall-west", size="large"))
    panels = hub.home("demo-loft").panels
    assert len(panels) == len(opened) >= 2
    wall = hub.home("demo-loft").surface("lounge/wall-west")[1].frame
    for i, a in enumerate(panels):
        for b in panels[i + 1:]:
            pa, pb = wall.to_local(a.pose.position), wall.to_local(b.pose.position)
            assert not rects_overlap((pa[0], pa[1]), a.size, (pb[0], pb[1]), b.size)


def test_move_resize_close(hub, owner) -> None:
    open_(hub, owner, "vod:big-wave", side="left")
    moved = hub.apply("demo-loft", "panel.move", {"panel": "p1", "placement": {"surface": "lounge/coffee-table"}},
                      caller=owner, viewer=SOFA)
    assert moved.args["placement"]["surface"] == "lounge/coffee-table"
    assert hub.home("demo-loft").panel("p1").surface == "lounge/coffee-table"
    before = hub.home("demo-loft").panel("p1").size
    hub.apply("demo-loft", "panel.resize", {"panel": "p1", "size": "small"}, caller=owner, viewer=SOFA)
    assert hub.home("demo-loft").panel("p1").size[0] < before[0]
    hub.apply("demo-loft", "panel.close", {"panel": "p1"}, caller=owner)
    assert hub.home("demo-loft").panels == [] and "p1" not in hub.home("demo-loft").playback


@pytest.mark.parametrize("args, error, words", [
    ({"content": "news"}, InvalidInput, "not a content reference"),
    ({"content": "app:tetris"}, NotFound, "no app 'tetris'"),
    ({"content": "app:photos", "placement": {"surface": "bathroom/mirror"}}, NotFound, "bathroom/mirror"),
    ({"content": "app:photos", "placement": {"side": "up"}}, InvalidInput, "placement.side"),
])
def test_bad_open_changes_nothing(hub, owner, args, error, words) -> None:
    version = hub.version("demo-loft")
    with pytest.raises(error, match=words):
        hub.apply("demo-loft", "panel.open", args, caller=owner, viewer=SOFA)
    assert hub.version("demo-loft") == version and hub.home("demo-loft").panels == []


def test_unknown_panel_lists_open_ones(hub, owner) -> None:
    open_(hub, owner, "app:photos")
    with pytest.raises(NotFound, match=r"p1 \(app:photos\)"):
        hub.apply("demo-loft", "panel.close", {"panel": "p9"}, caller=owner)

