"""`twinspace listen FILE`: the whole voice pipeline from a recording."""

import json
import wave
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from voice_helpers import padded, piper
from twinspace.cli import main
from twinspace.voice.audio import float_to_pcm16, wav_bytes


def run(data: Path, *args: str):
    return CliRunner().invoke(main, ["--data", str(data), *args], catch_exceptions=False)


def lamp(data: Path, tmp_path: Path) -> dict:
    out = tmp_path / "export"
    assert run(data, "export", str(out)).exit_code == 0
    home = json.loads((out / "home.json").read_text())
    return next(d for room in home["rooms"] for d in room["devices"] if d["id"] == "lamp-floor").get("state") or {}


def test_listen_runs_a_recorded_request(tmp_path: Path, demo_dir: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "import", str(demo_dir)).exit_code == 0
    recording = tmp_path / "lamp.wav"
    recording.write_bytes(wav_bytes(float_to_pcm16(padded(piper("turn on the floor lamp"))), 16000))
    r = run(data, "listen", str(recording), "--person", "alex", "--room", "lounge")
    assert r.exit_code == 0, r.output
    assert "heard: 'Turn on the floor lamp" in r.output or "heard: 'Turn on the Floor lamp" in r.output
    assert '✓ device.power {"device": "lamp-floor", "on": true}' in r.output
    reply = tmp_path / "lamp.reply.wav"
    assert f"reply audio: {reply}" in r.output
    with wave.open(str(reply)) as w:
        assert w.getframerate() == 22050 and w.getnframes() > 22050 // 2
    assert lamp(data, tmp_path).get("on") is True


def test_listen_refuses_before_acting(tmp_path: Path, demo_dir: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "import", str(demo_dir)).exit_code == 0
    recording = tmp_path / "lamp.wav"
    recording.write_bytes(wav_bytes(float_to_pcm16(padded(piper("turn on the floor lamp"))), 16000))
    r = run(data, "listen", str(recording), "--out", str(tmp_path / "missing" / "reply.wav"))
    assert r.exit_code == 1 and "does not exist" in r.output
    assert lamp(data, tmp_path).get("on") is not True  # nothing was done

    notes = tmp_path / "notes.wav"
    notes.write_text("shopping list")
    r = run(data, "listen", str(notes))
    assert r.exit_code == 1 and "cannot read it as audio" in r.output

    quiet = tmp_path / "quiet.wav"
    quiet.write_bytes(wav_bytes(float_to_pcm16(np.zeros(32000, np.float32)), 16000))
    r = run(data, "listen", str(quiet))
    assert r.exit_code == 1 and "no speech was heard" in r.output
