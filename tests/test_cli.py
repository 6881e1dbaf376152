import json
from pathlib import Path

from click.testing import CliRunner

from twinspace.cli import main

from support import shared_path


def run(data: Path, *args: str):
    return CliRunner().invoke(main, ["--data", str(data), *args], catch_exceptions=False)


def test_import_export_pair_place_act(tmp_path: Path, demo_dir: Path) -> None:
    data = tmp_path / "data"
    r = run(data, "import", str(demo_dir))
    assert r.exit_code == 0, r.output
    assert "Imported 'Demo loft' (demo-loft): 2 room(s)" in r.output
    again = run(data, "import", str(demo_dir))
    assert again.exit_code == 1 and "already exists" in again.output and "--replace" in again.output
    assert run(data, "import", str(demo_dir), "--replace").exit_code == 0

    r = run(data, "pair")
    assert r.exit_code == 0 and "Pairing code as alex:" in r.output

    r = run(data, "place", "--viewer", "0,1.2,1.8", "--side", "right")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["surface"] == "lounge/wall-east"

    r = run(data, "act", "device.light", '{"device": "lamp-floor", "brightness": 25}')
    assert r.exit_code == 0 and "Floor lamp set to 25%" in r.output
    r = run(data, "act", "device.light", '{"device": "lamp-floor", "brightness": "x"}')
    assert r.exit_code == 1 and "argument brightness" in r.output

    out = tmp_path / "export"
    assert run(data, "export", str(out)).exit_code == 0
    exported = json.loads((out / "home.json").read_text())
    lamp = next(d for room in exported["rooms"] for d in room["devices"] if d["id"] == "lamp-floor")
    assert lamp["state"]["brightness"] == 25
    assert (out / "guide.xml").read_bytes() == (demo_dir / "guide.xml").read_bytes()


def test_import_mruk_scan(tmp_path: Path) -> None:
    scan = shared_path("fixtures", "mruk", "l-shaped-room.unity.json")
    r = run(tmp_path / "data", "import", str(scan))
    assert r.exit_code == 0, r.output
    assert "(l-shaped-room)" in r.output


def test_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "scan.json"
    bad.write_text('{"Rooms": [}')
    r = run(tmp_path / "data", "import", str(bad))
    assert r.exit_code == 1
    assert r.output.startswith("error: ") and "line 1, column 12" in r.output
    r = run(tmp_path / "data", "place", "--side", "left")
    assert r.exit_code == 1 and "no home yet" in r.output
