"""Voice over HTTP and WebSocket: the OpenAI-compatible audio APIs and the streaming voice turn."""

import io
import json
import wave

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from voice_helpers import frames, padded, piper, plain
from twinspace import access
from twinspace.server.app import create_app
from twinspace.voice.audio import float_to_pcm16, wav_bytes


@pytest.fixture
def client(content_hub):
    code = access.create_pairing_code(content_hub.store, "demo-loft", "alex")
    token = access.redeem_pairing_code(content_hub.store, code.code, "test").token
    c = TestClient(create_app(content_hub))
    c.headers["Authorization"] = f"Bearer {token}"
    c.token, c.hub = token, content_hub
    return c


def spoken_wav(text: str) -> bytes:
    return wav_bytes(float_to_pcm16(padded(piper(text))), 16000)


def test_transcriptions_like_openai(client) -> None:
    audio = spoken_wav("turn on the floor lamp")
    r = client.post("/v1/audio/transcriptions", files={"file": ("cmd.wav", audio, "audio/wav")},
                    data={"model": "whisper-1"})
    assert r.status_code == 200, r.text
    assert plain(r.json()["text"]) == "turn on the floor lamp"
    r = client.post("/v1/audio/transcriptions", files={"file": ("cmd.wav", audio, "audio/wav")},
                    data={"response_format": "text"})
    assert r.headers["content-type"].startswith("text/plain") and plain(r.text) == "turn on the floor lamp"
    r = client.post("/v1/audio/transcriptions", files={"file": ("cmd.wav", audio, "audio/wav")},
                    data={"response_format": "verbose_json", "language": "en"})
    body = r.json()
    assert body["duration"] == pytest.approx(len(padded(piper("turn on the floor lamp"))) / 16000, abs=0.01)
    assert body["segments"] and body["segments"][0]["end"] > body["segments"][0]["start"]


def test_transcriptions_read_compressed_audio(client, tmp_path) -> None:
    import subprocess

    src, out = tmp_path / "cmd.wav", tmp_path / "cmd.ogg"
    src.write_bytes(spoken_wav("pause the news"))
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(src), "-c:a", "libopus", str(out)], check=True)
    r = client.post("/v1/audio/transcriptions", files={"file": ("cmd.ogg", out.read_bytes(), "audio/ogg")})
    assert r.status_code == 200 and plain(r.json()["text"]) == "pause the news"


@pytest.mark.parametrize("data, files, status, words", [
    ({}, {"file": ("notes.wav", b"not audio at all", "audio/wav")}, 422, "not audio"),
    ({}, {"file": ("empty.wav", b"", "audio/wav")}, 422, "empty"),
    ({"language": "ko"}, None, 422, "English-only"),
    ({"model": "large-v3"}, None, 422, "not served here"),
    ({"response_format": "srt"}, None, 422, "json, text or verbose_json"),
])
def test_transcription_errors_say_what_to_fix(client, data, files, status, words) -> None:
    files = files or {"file": ("cmd.wav", spoken_wav("undo"), "audio/wav")}
    r = client.post("/v1/audio/transcriptions", files=files, data=data)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]


def test_audio_apis_check_who_is_calling(client) -> None:
    anonymous = TestClient(client.app)
    r = anonymous.post("/v1/audio/transcriptions", files={"file": ("a.wav", spoken_wav("undo"), "audio/wav")})
    assert r.status_code == 401
    assert anonymous.post("/v1/audio/speech", json={"input": "hello"}).status_code == 401
    with anonymous.websocket_connect("/v1/assistant/voice?token=nope") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 4401


def test_speech_like_openai(client) -> None:
    r = client.post("/v1/audio/speech", json={"model": "tts-1", "voice": "alloy", "input": "The floor lamp is on."})
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(r.content)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        assert 0.8 < w.getnframes() / 22050 < 4
    pcm = client.post("/v1/audio/speech", json={"input": "The floor lamp is on.", "response_format": "pcm"})
    assert pcm.headers["content-type"] == "audio/pcm" and pcm.headers["x-sample-rate"] == "22050"
    assert len(pcm.content) % 2 == 0 and len(pcm.content) > 22050


@pytest.mark.parametrize("body, words", [
    ({"input": ""}, "input"),
    ({"input": "hi", "response_format": "mp3"}, "response_format"),
    ({"input": "hi", "voice": "darth"}, "not available"),
    ({"input": "hi", "speed": 9}, "speed"),
    ({"input": "x" * 5000}, "input"),
])
def test_speech_errors_say_what_to_fix(client, body, words) -> None:
    r = client.post("/v1/audio/speech", json=body)
    assert r.status_code == 422 and words in r.text


def test_the_voice_turn_over_a_websocket(client) -> None:
    with client.websocket_connect(f"/v1/assistant/voice?token={client.token}") as ws:
        ready = ws.receive_json()
        assert ready == {"type": "ready", "sample_rate": 16000, "reply_sample_rate": 22050,
                         "reply_format": "pcm_s16le"}
        ws.send_text(json.dumps({"type": "hello", "endpointing": "manual", "room": "lounge",
                                 "viewer": {"position": [0, 1.2, 1.8], "yaw_deg": 0}}))
        for frame in frames(padded(piper("put arena sports on the wall to my right"), after=0.3)):
            ws.send_bytes(frame)
        ws.send_text(json.dumps({"type": "end"}))
        seen, audio = [], 0
        while not seen or seen[-1]["type"] != "reply_end":
            message = ws.receive()
            if message.get("bytes"):
                audio += len(message["bytes"])
            else:
                seen.append(json.loads(message["text"]))
    by_type = {m["type"]: m for m in seen}
    assert plain(by_type["final"]["text"]) == "put arena sports on the wall to my right"
    assert by_type["applied"]["action"] == "panel.open"
    assert by_type["applied"]["args"]["content"] == "channel:arena.demo"
    assert by_type["applied"]["args"]["placement"]["surface"] == "lounge/wall-east"
    assert audio > 22050 and "Arena Sports" in by_type["reply_start"]["text"]
    assert client.hub.home("demo-loft").panels[0].surface == "lounge/wall-east"


def test_bad_messages_get_an_error_and_the_socket_stays_open(client) -> None:
    with client.websocket_connect(f"/v1/assistant/voice?token={client.token}") as ws:
        ws.receive_json()
        ws.send_text("end")
        assert "must be JSON" in ws.receive_json()["detail"]
        ws.send_text(json.dumps({"type": "shout"}))
        assert "unknown message type 'shout'" in ws.receive_json()["detail"]
        ws.send_bytes(b"\x01\x02\x03")
        assert "whole 16-bit samples" in ws.receive_json()["detail"]
        ws.send_text(json.dumps({"type": "hello", "endpointing": "sometimes"}))
        assert "endpointing" in ws.receive_json()["detail"]
        ws.send_text(json.dumps({"type": "end"}))  # nothing was said: no turn, and still connected
        ws.send_text(json.dumps({"type": "cancel"}))
        ws.send_text(json.dumps({"type": "shout"}))
        assert ws.receive_json()["type"] == "error"


def test_a_revoked_token_loses_the_voice_socket_at_once(client) -> None:
    with client.websocket_connect(f"/v1/assistant/voice?token={client.token}") as ws:
        assert ws.receive_json()["type"] == "ready"
        [paired] = [d for d in access.paired_devices(client.hub.store, "demo-loft") if d.label == "test"]
        access.revoke_device(client.hub.store, "demo-loft", paired.id)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
