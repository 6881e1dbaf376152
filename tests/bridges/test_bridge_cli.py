"""`twinspace bridge homeassistant`: propose, edit, confirm; the token stays a secret."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from twinspace.cli import main
from twinspace.home.homefile import read_home_dir


def run(data: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--data", str(data), *args], input=input, catch_exceptions=False)


def test_propose_edit_and_apply_the_mapping(tmp_path: Path, demo_dir: Path, fake_ha) -> None:
    data = tmp_path / "data"
    assert run(data, "import", str(demo_dir)).exit_code == 0
    mapping = tmp_path / "mapping.json"
    r = run(data, "bridge", "homeassistant", "--url", fake_ha.url, "--token", fake_ha.token, "--write", str(mapping))
    assert r.exit_code == 0, r.output
    proposed = json.loads(mapping.read_text())
    actions = {e["entity"]: (e["action"], e["device"]) for e in proposed["entities"]}
    assert actions["light.kitchen_pendant"] == ("bind", "light-pendant")
    assert actions["light.kitchen_counter"] == ("create", "kitchen-counter")
    for e in proposed["entities"]:  # the owner edits: no new device for the counter lights
        if e["entity"] == "light.kitchen_counter":
            e["action"] = "skip"
    mapping.write_text(json.dumps(proposed))

    r = run(data, "bridge", "homeassistant", "--url", fake_ha.url, "--mapping", str(mapping),
            input=f"{fake_ha.token}\nn\n")
    assert "Nothing changed" in r.output and fake_ha.token not in r.output
    r = run(data, "bridge", "homeassistant", "--url", fake_ha.url, "--token", fake_ha.token,
            "--mapping", str(mapping), "--yes")
    assert r.exit_code == 0, r.output
    assert "skip    light.kitchen_counter" in r.output and "Bound 2 devices" in r.output

    status = run(data, "bridge", "status")
    assert '"entity": "light.kitchen_pendant"' in status.output and "(set up)" in status.output
    assert fake_ha.token not in status.output and "**REDACTED**" in status.output
    out = tmp_path / "export"
    assert run(data, "export", str(out)).exit_code == 0
    exported = read_home_dir(out).home
    assert exported.device("light-pendant")[1].bridge == {"type": "homeassistant", "entity": "light.kitchen_pendant"}
    assert exported.device("kitchen-counter") is None
    assert fake_ha.token not in (out / "home.json").read_text()


def test_a_wrong_token_is_one_clear_line(tmp_path: Path, demo_dir: Path, fake_ha) -> None:
    data = tmp_path / "data"
    run(data, "import", str(demo_dir))
    r = CliRunner().invoke(main, ["--data", str(data), "bridge", "homeassistant", "--url", fake_ha.url,
                                  "--token", "nope", "--yes"])
    assert r.exit_code == 1
    assert "refused the access token; create a long-lived token" in r.output


def test_pair_an_lg_tv_keeps_its_key_a_secret(tmp_path: Path, demo_dir: Path, fake_tv, caplog) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    run(data, "import", str(demo_dir))
    r = run(data, "bridge", "webos", "pair", "tv-lounge", "--host", fake_tv.host, "--hub-url", "http://192.0.2.5:8080")
    assert r.exit_code == 0, r.output
    assert "Accept the prompt on Lounge TV's screen (127.0.0.10)" in r.output and "Paired with LG OLED65C4" in r.output
    (key,) = fake_tv.keys
    entry_file = data / "bridges" / "demo-loft" / "webos.json"
    assert entry_file.stat().st_mode & 0o777 == 0o600
    entry = json.loads(entry_file.read_text())["tvs"]["tv-lounge"]
    assert (entry["client_key"], entry["mac"], entry["hub_url"]) == (key, fake_tv.mac, "http://192.0.2.5:8080")
    again = run(data, "bridge", "webos", "pair", "tv-lounge")  # known key: no prompt, same key
    assert again.exit_code == 0 and "Accept the prompt" not in again.output and fake_tv.keys == {key}
    status = run(data, "bridge", "status")
    assert '"host": "127.0.0.10"' in status.output and key not in status.output
    out = tmp_path / "export"
    run(data, "export", str(out))
    assert key not in (out / "home.json").read_text()
    assert key not in r.output + again.output + status.output + caplog.text


def test_pairing_a_tv_that_refuses_the_signature(tmp_path: Path, demo_dir: Path, fake_tv) -> None:
    data = tmp_path / "data"
    run(data, "import", str(demo_dir))
    fake_tv.prompt = "blacklisted"
    r = CliRunner().invoke(main, ["--data", str(data), "bridge", "webos", "pair", "tv-lounge", "--host", fake_tv.host])
    assert r.exit_code == 1
    assert "aiowebostv#718" in r.output and not (data / "bridges" / "demo-loft" / "webos.json").exists()


def test_find_and_add_a_dlna_renderer(tmp_path: Path, demo_dir: Path, fake_renderer) -> None:
    import os

    data = tmp_path / "data"
    assert run(data, "import", str(demo_dir)).exit_code == 0
    r = run(data, "bridge", "dlna", "discover", "--timeout", "1",
            "--address", f"{fake_renderer.host}:{fake_renderer.ssdp_port}")
    assert r.exit_code == 0 and fake_renderer.location in r.output and "Kitchen renderer" in r.output, r.output
    r = run(data, "bridge", "dlna", "add", "tv-lounge", "--location", fake_renderer.location,
            "--hub-url", "http://192.0.2.5:8080")
    assert r.exit_code == 0, r.output
    assert "Added Kitchen renderer (FakeDMR, with volume control) as Lounge TV" in r.output
    entry_file = data / "bridges" / "demo-loft" / "dlna.json"
    assert os.stat(entry_file).st_mode & 0o777 == 0o600
    entry = json.loads(entry_file.read_text())["renderers"]["tv-lounge"]
    assert (entry["location"], entry["hub_url"]) == (fake_renderer.location, "http://192.0.2.5:8080")
    status = run(data, "bridge", "status")
    assert '"type": "dlna"' in status.output and entry["media_token"] not in status.output
    r = run(data, "bridge", "dlna", "add", "lamp-floor", "--location", fake_renderer.location)
    assert r.exit_code == 1 and "there is no TV or speaker 'lamp-floor'" in r.output
