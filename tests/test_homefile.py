import json
from pathlib import Path

import pytest

from twinspace.errors import FormatError
from twinspace.home.homefile import HomeBundle, home_to_json, read_home_dir, write_home_dir

from support import shared_path


def test_demo_home_reads_with_content_files(demo_bundle: HomeBundle) -> None:
    home = demo_bundle.home
    assert home.id == "demo-loft"
    assert [r.id for r in home.rooms] == ["lounge", "kitchen"]
    assert set(demo_bundle.files) == {"channels.m3u", "guide.xml", "vod.json"}
    assert home.owner_id() == "alex"


def test_dev_home_exports_and_reimports_identical(tmp_path: Path) -> None:
    src = shared_path("fixtures", "dev-home")
    first = read_home_dir(src)
    assert home_to_json(first.home) == json.loads((src / "home.json").read_text())
    out = write_home_dir(first, tmp_path / "out")
    second = read_home_dir(out)
    assert second.home == first.home
    assert second.files == first.files
    for name in ("channels.m3u", "guide.xml", "vod.json"):
        assert (out / name).read_bytes() == (src / name).read_bytes()


def _write(tmp_path: Path, doc: object, raw: str | None = None) -> Path:
    d = tmp_path / "bad"
    d.mkdir(exist_ok=True)
    (d / "home.json").write_text(raw if raw is not None else json.dumps(doc, indent=2))
    return d


def _minimal() -> dict:
    return {"format": "twinspace.home/1", "id": "h", "name": "H",
            "rooms": [{"id": "r", "name": "R", "floor": [[0, 0], [3, 0], [3, 3], [0, 3]],
                       "surfaces": [{"id": "r/w", "label": "WALL_FACE",
                                     "pose": {"position": [1.5, 1.2, 0], "rotation": [0, 0, 0, 1]},
                                     "size": [3, 2.4]}]}]}


def test_minimal_home_reads(tmp_path: Path) -> None:
    assert read_home_dir(_write(tmp_path, _minimal())).home.rooms[0].surfaces[0].id == "r/w"


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    d = _write(tmp_path, None, raw='{\n  "format": "twinspace.home/1",\n  "id": oops\n}')
    with pytest.raises(FormatError) as e:
        read_home_dir(d)
    assert str(d / "home.json") in e.value.detail
    assert "line 3, column 9" in e.value.detail


@pytest.mark.parametrize("mutate, where, words", [
    (lambda d: d.update(format="other/2"), "format", "twinspace.home/1"),
    (lambda d: d["rooms"][0]["surfaces"][0]["pose"].update(rotation=[0, 0, 0, 2]),
     "rooms[0].surfaces[0].pose.rotation", "unit quaternion"),
    (lambda d: d["rooms"][0]["surfaces"][0].update(label="SHELF"), "rooms[0].surfaces[0].label", "WALL_FACE"),
    (lambda d: d["rooms"][0]["surfaces"][0].update(size=[3, -1]), "rooms[0].surfaces[0].size[1]", "greater than 0"),
    (lambda d: d["rooms"][0].update(floor=[[0, 0], [1, 0]]), "rooms[0].floor", "at least 3"),
    (lambda d: d["rooms"][0]["surfaces"][0].update(id="r"), "(top level)", "unique"),
    (lambda d: d["rooms"][0]["surfaces"][0].update(colour="red"), "rooms[0].surfaces[0].colour", "not permitted"),
    (lambda d: d.update(xr_devices=[{"id": "q", "kind": "headset", "owner": "nobody"}]), "(top level)", "nobody"),
    (lambda d: d.update(content={"m3u": "missing.m3u"}), "content.m3u", "does not exist"),
    (lambda d: d.update(content={"xmltv": "../../etc/passwd"}), "content.xmltv", "outside"),
])
def test_bad_home_is_rejected_with_its_path(tmp_path: Path, mutate, where: str, words: str) -> None:
    doc = _minimal()
    mutate(doc)
    with pytest.raises(FormatError) as e:
        read_home_dir(_write(tmp_path, doc))
    assert e.value.file.endswith("home.json")
    assert e.value.where == where
    assert words in e.value.detail


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="not a directory"):
        read_home_dir(tmp_path / "nope")


def test_export_keeps_live_state_and_omits_empty_state(hub, owner, tmp_path: Path) -> None:
    hub.apply("demo-loft", "device.light", {"device": "lamp-floor", "brightness": 40}, caller=owner)
    bundle = HomeBundle(hub.home("demo-loft"), hub.store.files("demo-loft"))
    out = read_home_dir(write_home_dir(bundle, tmp_path / "x"))
    assert out.home == hub.home("demo-loft")
    data = json.loads((tmp_path / "x" / "home.json").read_text())
    devices = {d["id"]: d for r in data["rooms"] for d in r["devices"]}
    assert devices["lamp-floor"]["state"] == {"on": True, "brightness": 40}
    assert "state" not in devices["tv-lounge"]
    assert "panels" not in data
