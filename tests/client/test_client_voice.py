"""Push-to-talk in the XR client. Chromium's fake microphone plays a command spoken by Piper; the
client captures it through its AudioWorklet (16 kHz s16le frames), the real hub transcribes it,
runs the turn and speaks the reply, and the action really happens in the home. The protocol
corners (partials, barge-in, stopping a reply, errors, closes) are played by a scripted socket;
a denied and a missing microphone get their own browsers. In the headset (Meta's WebXR emulator),
the controller's squeeze is the talk button."""

from __future__ import annotations

import json
import math
import re
import subprocess
import time
import wave
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from client_helpers import (
    CHROMIUM_ARGS,
    Rest,
    aim,
    emulator,
    pairing_script,
    panel_in,
    press_button,
    wait_for,
    wait_ready_and_connected,
)
from support import chromium

from twinspace import access
from twinspace.hub import Hub
from twinspace.voice.speech_out import shared_synthesizer

pytestmark = pytest.mark.slow

HOME = "demo-loft"
COMMAND = "turn off the floor lamp"
VOICE_WS = re.compile(r"/v1/assistant/voice\?")


def _lamp_on(hub: Hub) -> bool:
    return bool(hub.home(HOME).device_state("lamp-floor").on)


@pytest.fixture(scope="module")
def command_wav(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The command as the fake microphone plays it: 48 kHz 16-bit mono, 1 s of silence before
    (the device starts when the page opens it) and 1.5 s after."""
    root = tmp_path_factory.mktemp("voice")
    raw = root / "command-22k.wav"
    raw.write_bytes(shared_synthesizer().wav(COMMAND, vary=False))  # the same audio every run
    out = root / "command.wav"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(raw),
                    "-af", "adelay=1000:all=1,apad=pad_dur=1.5", "-ar", "48000", "-ac", "1", "-c:a", "pcm_s16le",
                    str(out)], check=True, timeout=60)
    with wave.open(str(out), "rb") as w:
        seconds = w.getnframes() / w.getframerate()
    assert 3.0 < seconds < 8.0, seconds
    return out, seconds


@pytest.fixture(scope="module")
def browser(command_wav: tuple[Path, float]) -> Iterator[Any]:
    """Overrides conftest's: this Chromium grants the microphone, which says the command."""
    wav, _ = command_wav
    with chromium([*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                   f"--use-file-for-fake-audio-capture={wav}%noloop"]) as b:
        yield b


def _talk_ready(page: Any) -> None:
    page.wait_for_selector("#talk:not([disabled])", timeout=15_000)
    assert page.get_attribute("#talk", "aria-pressed") == "false"


def _hold(page: Any, seconds: float) -> None:
    """Press the talk button with the mouse, speak for `seconds` once it listens, let go."""
    page.hover("#talk")
    page.mouse.down()
    page.wait_for_selector('#talk[aria-pressed="true"][data-state="listening"]', timeout=15_000)
    page.wait_for_timeout(seconds * 1000)
    page.mouse.up()


def _record_voice_socket(page: Any) -> list[str]:
    """What went over the voice socket, for failure messages: JSON as is, audio as its size."""
    traffic: list[str] = []
    t0 = time.monotonic()

    def note(arrow: str, payload: str | bytes) -> None:
        what = payload if isinstance(payload, str) else f"{len(payload)} bytes"
        traffic.append(f"{time.monotonic() - t0:6.2f} {arrow} {what}")

    def socket(ws: Any) -> None:
        if "/v1/assistant/voice" not in ws.url:
            return
        ws.on("framesent", lambda payload: note("->", payload))
        ws.on("framereceived", lambda payload: note("<-", payload))
        ws.on("close", lambda _: note("xx", "closed"))

    page.on("websocket", socket)
    return traffic


def _wait_turn(page: Any, selector: str, traffic: list[str], timeout: float = 240_000) -> None:
    """Wait for part of a spoken turn; on timeout, say what the page shows and what the socket carried."""
    try:
        page.wait_for_selector(selector, timeout=timeout)
    except Exception as e:
        shown = page.evaluate("document.querySelector('.assistant')?.innerText")
        state = page.evaluate("document.querySelector('#talk')?.dataset.state")
        toasts = page.evaluate("[...document.querySelectorAll('.toast')].map(t => t.innerText)")
        audio = sum(1 for t in traffic if " -> " in t and t.endswith(" bytes"))
        said = [t for t in traffic if not t.endswith(" bytes")]
        raise AssertionError(f"{selector} did not show: the assistant shows {shown!r} (talk: {state}, "
                             f"toasts: {toasts}); socket: {audio} audio frames sent, messages {said}") from e


def _until(page: Any, predicate: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    """Poll while Playwright runs its callbacks (the scripted socket's): wait_for would starve them."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(50)


def _spoken_turn_text(page: Any) -> str:
    return (page.text_content(".turn-spoken:last-child .turn-you") or "").strip()


# --- the real hub: speech in, a turn, speech out --------------------------------------------------


def test_voice_turn_switches_off_the_lamp(open_page: Callable[..., Any], owner_rest: Rest, client_hub: Hub,
                                          command_wav: tuple[Path, float], artifacts: Path) -> None:
    _, seconds = command_wav
    owner_rest.action("device.power", device="lamp-floor", on=True)
    assert _lamp_on(client_hub)
    page = open_page()
    traffic = _record_voice_socket(page)
    _talk_ready(page)

    _hold(page, seconds + 0.3)
    assert page.get_attribute("#talk", "aria-pressed") == "false"
    _wait_turn(page, ".turn-spoken .turn-you:not(.hearing)", traffic)
    said = _spoken_turn_text(page).lower()
    for word in ("off", "floor", "lamp"):
        assert word in said, said
    _wait_turn(page, ".turn-spoken .event-applied", traffic)
    assert "Floor lamp" in page.text_content(".turn-spoken .event-applied")
    wait_for(lambda: not _lamp_on(client_hub), timeout=10, what="the hub to have the floor lamp off")
    page.wait_for_function("!window.__twinspace.devices.find(d => d.id === 'lamp-floor').on")  # and the twin shows it

    # The reply is spoken: audio arrives and plays to its end.
    page.wait_for_selector(".turn-spoken .event-reply", timeout=60_000)
    page.wait_for_function("Number(document.querySelector('.turn-spoken .event-reply').dataset.audioMs) > 500",
                           timeout=60_000)
    page.wait_for_function("document.querySelector('.turn-spoken .event-reply').textContent.includes('Reply spoken')",
                           timeout=60_000)
    assert page.get_attribute("#talk", "data-state") == "idle"
    page.screenshot(path=str(artifacts / "voice-headset.png"))


def test_glasses_talk_with_the_space_key(open_page: Callable[..., Any], owner_rest: Rest, client_hub: Hub,
                                         command_wav: tuple[Path, float], artifacts: Path) -> None:
    """Glasses are voice first: the talk button leads the layout, holding Space talks."""
    _, seconds = command_wav
    owner_rest.action("device.power", device="lamp-floor", on=True)
    page = open_page("glasses", viewport=(1280, 720))
    traffic = _record_voice_socket(page)
    _talk_ready(page)
    order = page.evaluate("[...document.querySelectorAll('.hud-grid button, .hud-grid input')]"
                          ".map(e => e.id || e.className)")
    assert order[0] == "talk" and order[1] == "hands-free", order
    talk, typed = page.locator("#talk").bounding_box(), page.locator("#assistant-input").bounding_box()
    assert talk["height"] >= 56 and talk["height"] > typed["height"], (talk, typed)
    assert talk["y"] < typed["y"]  # typing is there, below

    page.keyboard.down(" ")
    page.wait_for_selector('#talk[aria-pressed="true"][data-state="listening"]', timeout=15_000)
    page.wait_for_timeout(seconds * 500)
    page.screenshot(path=str(artifacts / "voice-glasses-listening.png"))
    page.wait_for_timeout(seconds * 500 + 300)
    page.keyboard.up(" ")
    _wait_turn(page, ".turn-spoken .event-applied", traffic)
    assert "lamp" in _spoken_turn_text(page).lower()
    wait_for(lambda: not _lamp_on(client_hub), timeout=10, what="the hub to have the floor lamp off")
    page.wait_for_selector(".turn-spoken .event-reply", timeout=60_000)
    page.screenshot(path=str(artifacts / "voice-glasses.png"))


# --- the protocol, played by a scripted socket ------------------------------------------------------


class ScriptedHub:
    """A stand-in for the hub's voice socket: records what the client sends, says what it is told."""

    def __init__(self, page: Any) -> None:
        self.ws: Any = None
        self.sent: list[Any] = []  # dicts (JSON messages) and bytes (audio frames), in order
        self.on_end: Callable[[], None] = lambda: None
        self.on_audio: Callable[[int], None] = lambda n: None
        page.route_web_socket(VOICE_WS, self._connect)

    def _connect(self, ws: Any) -> None:
        self.ws = ws
        ws.on_message(self._message)
        ws.send(json.dumps({"type": "ready", "sample_rate": 16000, "reply_sample_rate": 22050,
                            "reply_format": "pcm_s16le"}))

    def _message(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            self.sent.append(message)
            self.on_audio(sum(isinstance(m, bytes) for m in self.sent))
            return
        data = json.loads(message)
        self.sent.append(data)
        if data["type"] == "end":
            self.on_end()

    def say(self, **message: Any) -> None:
        self.ws.send(json.dumps(message))

    def speak(self, seconds: float, rate: int = 22050) -> None:
        """A reply: a quiet tone in 0.1 s frames, as the hub streams it."""
        frame = bytearray()
        for i in range(int(rate * 0.1)):
            v = int(3000 * math.sin(2 * math.pi * 440 * i / rate))
            frame += v.to_bytes(2, "little", signed=True)
        for _ in range(int(seconds * 10)):
            self.ws.send(bytes(frame))

    def texts(self) -> list[dict[str, Any]]:
        return [m for m in self.sent if isinstance(m, dict)]

    def types(self) -> list[str]:
        return [m["type"] for m in self.texts()]


def test_voice_protocol_partials_reply_barge_in_and_errors(open_page: Callable[..., Any]) -> None:
    page = open_page()
    hub = ScriptedHub(page)
    _talk_ready(page)

    # While the button is held: hello first, then ~40 ms frames of 16 kHz s16le; partials show.
    hub.on_audio = lambda n: n == 10 and hub.say(type="partial", text="turn off the")
    page.hover("#talk")
    page.mouse.down()
    page.wait_for_selector('#talk[aria-pressed="true"][data-state="listening"]')
    page.wait_for_selector(".turn-spoken .turn-you.hearing >> text=turn off the")

    def answer() -> None:
        hub.say(type="final", text="turn off the floor lamp", audio_ms=1200, asr_ms=90)
        hub.say(type="understood", commands="power lamp-floor off")
        hub.say(type="applied", action="device.power", args={"device": "lamp-floor", "on": False},
                message="Floor lamp is now off")
        hub.say(type="done", reply="Floor lamp is now off", seconds=0.2)
        hub.say(type="reply_start", text="Floor lamp is now off", sample_rate=22050, format="pcm_s16le")
        hub.speak(6.0)  # long enough to be talked over

    hub.on_end = answer
    page.wait_for_timeout(600)
    page.mouse.up()
    page.wait_for_selector(".turn-spoken .event-reply.playing")
    first = hub.texts()[0]
    assert first["type"] == "hello" and first["endpointing"] == "manual"
    assert len(first["viewer"]["position"]) == 3 and isinstance(first["viewer"]["yaw_deg"], (int, float))
    frames = [m for m in hub.sent if isinstance(m, bytes)]
    assert len(frames) >= 12, len(frames)
    assert all(len(f) == 1280 for f in frames[:-1]), {len(f) for f in frames}  # 40 ms at 16 kHz, 16-bit
    assert hub.types()[-1] == "end"
    assert _spoken_turn_text(page) == "turn off the floor lamp"
    assert "Floor lamp is now off" in page.text_content(".turn-spoken .event-applied")
    assert page.text_content(".turn-spoken .event-understood") == "power lamp-floor off"
    page.wait_for_function("Number(document.querySelector('.event-reply').dataset.audioMs) >= 5900")
    page.wait_for_selector('#talk[data-state="speaking"]')

    # Talking over the reply stops it at once and tells the hub; a tap is not a turn.
    hub.on_end = lambda: None
    before = len(hub.texts())
    page.mouse.down()
    page.wait_for_function("document.querySelector('.event-reply').textContent.includes('Reply stopped')")
    assert hub.types()[before] == "cancel", hub.types()[before:]
    page.wait_for_selector('#talk[aria-pressed="true"]')
    page.wait_for_timeout(50)
    page.mouse.up()
    page.wait_for_selector(".toast >> text=Hold the button while you speak")
    _until(page, lambda: hub.types()[-1] == "cancel", "the tap to be cancelled")
    assert page.locator(".turn-spoken").count() == 1  # the tap left no turn behind

    # The hub hears the person over a reply (hands-free, say): what was queued stops.
    hub.say(type="reply_start", text="Here is the news", sample_rate=22050, format="pcm_s16le")
    hub.speak(4.0)
    page.wait_for_selector(".event-reply.playing")
    hub.say(type="barge_in")
    page.wait_for_function("[...document.querySelectorAll('.event-reply')].pop().textContent.includes('Reply stopped')")
    page.wait_for_selector('#talk[data-state="idle"]')

    # A short reply plays to its end, gaplessly scheduled.
    hub.say(type="reply_start", text="Done.", sample_rate=22050, format="pcm_s16le")
    hub.speak(0.8)
    hub.say(type="reply_end")
    page.wait_for_function("[...document.querySelectorAll('.event-reply')].pop().textContent.includes('Reply spoken')",
                           timeout=10_000)

    # Space (focus outside the text box) is push-to-talk too; an empty utterance says so.
    page.locator("#assistant-input").focus()
    page.keyboard.press(" ")  # typing a space is typing
    assert page.get_attribute("#talk", "aria-pressed") == "false"
    page.evaluate("document.activeElement.blur()")
    hub.on_end = lambda: hub.say(type="final", text="", audio_ms=0, asr_ms=0)
    page.keyboard.down(" ")
    page.wait_for_selector('#talk[aria-pressed="true"][data-state="listening"]')
    page.wait_for_timeout(500)
    page.keyboard.up(" ")
    page.wait_for_selector(".turn-spoken:last-child >> text=Nothing heard")
    assert page.get_attribute("#talk", "aria-pressed") == "false"

    # The hub's errors and a closed socket are said plainly.
    hub.say(type="error", detail="endpointing must be \"vad\" or \"manual\"")
    page.wait_for_selector(".toast-error >> text=endpointing must be")
    hub.on_end = lambda: hub.ws.close(code=4401, reason="unknown token")
    page.keyboard.down(" ")
    page.wait_for_selector('#talk[data-state="listening"]')
    page.wait_for_timeout(400)
    page.keyboard.up(" ")
    page.wait_for_selector(".toast-error >> text=did not accept this device")
    page.wait_for_selector('#talk[data-state="idle"]')


# --- no microphone to be had -------------------------------------------------------------------------


def _open_paired(browser: Any, hub_url: str, hub: Hub, mode: str | None = None) -> Any:
    issued = access.issue_token(hub.store, HOME, "alex", "voice error test", role="owner")
    context = browser.new_context(viewport={"width": 1024, "height": 640})
    context.add_init_script(pairing_script({"token": issued.token, "home": HOME, "person": "alex",
                                            "role": issued.caller.role, "name": "Voice test"}))
    page = context.new_page()
    page.goto(hub_url + ("/" if mode is None else f"/?mode={mode}"))
    wait_ready_and_connected(page)
    return page


@pytest.mark.parametrize("flags, message", [
    (["--use-fake-device-for-media-stream"], "Microphone access is blocked"),  # a microphone, but no permission
    ([], "No microphone was found"),
], ids=["denied", "missing"])
def test_voice_without_a_microphone_says_why(hub_url: str, client_hub: Hub, flags: list[str], message: str) -> None:
    with chromium([*CHROMIUM_ARGS, *flags]) as b:
        page = _open_paired(b, hub_url, client_hub, "glasses")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        _talk_ready(page)
        page.hover("#talk")  # held, though it never listens
        page.mouse.down()
        page.wait_for_selector(f".toast-error >> text={message}", timeout=15_000)
        page.mouse.up()
        assert page.get_attribute("#talk", "aria-pressed") == "false"
        assert page.get_attribute("#talk", "data-state") == "blocked"
        assert message in (page.get_attribute("#talk", "title") or "")
        assert page.locator(".turn-spoken").count() == 0
        assert page.is_enabled("#assistant-input")  # typing still works
        assert errors == []


def test_glasses_hands_free_keeps_listening(open_page: Callable[..., Any]) -> None:
    page = open_page("glasses")
    hub = ScriptedHub(page)
    page.reload()  # the glasses open the voice socket at once: this time to the scripted hub
    wait_ready_and_connected(page)
    _talk_ready(page)
    _until(page, lambda: hub.ws is not None, "the socket to open before anyone talks")
    assert page.evaluate("document.activeElement.id") == "talk"  # Enter or Space talks straight away

    page.click("#hands-free")
    page.wait_for_selector('#hands-free[aria-pressed="true"]')
    page.wait_for_selector('#talk[data-state="listening"][aria-pressed="false"]')
    _until(page, lambda: hub.texts() and sum(isinstance(m, bytes) for m in hub.sent) >= 10, "audio to flow")
    assert hub.texts()[0] == {"type": "hello", "endpointing": "vad"}

    hub.say(type="speech_start")
    hub.say(type="partial", text="what's on")
    page.wait_for_selector(".turn-you.hearing >> text=what's on")
    hub.say(type="final", text="what's on the news", audio_ms=1500, asr_ms=80)
    hub.say(type="answer", message="BBC News is on now: the evening bulletin")
    hub.say(type="done", reply="BBC News is on now", seconds=0.1)
    page.wait_for_selector(".turn-spoken .event-answer >> text=evening bulletin")
    assert _spoken_turn_text(page) == "what's on the news"
    sent = sum(isinstance(m, bytes) for m in hub.sent)
    _until(page, lambda: sum(isinstance(m, bytes) for m in hub.sent) > sent + 5, "listening to go on")
    assert "end" not in hub.types()  # the hub's pause detection ends turns, not the client

    page.click("#hands-free")
    page.wait_for_selector('#hands-free[aria-pressed="false"]')
    _until(page, lambda: hub.types()[-1] == "end", "hands-free to end")
    page.wait_for_selector('#talk:not([data-state="listening"])')


# --- the headset: squeeze to talk inside the immersive session ---------------------------------------

UP = (0.7071068, 0.0, 0.0, 0.7071068)  # a controller pointing at the ceiling, away from every panel
RAY, LISTENING_RAY = "#9cc8ff", "#ff6b6b"  # client/src/scene/xr.js


def _talk_in_headset(page: Any) -> dict[str, Any]:
    return page.evaluate("window.__twinspace.xr.talk")


def _wall_panel(owner_rest: Rest) -> str:
    """A small panel on the lounge's north wall, straight ahead of a controller at (-2.2, 1.5, -2.2)."""
    owner_rest.close_all()
    opened = owner_rest.action("panel.open", content="app:photos",
                               placement={"surface": "lounge/wall-north", "size": "small"})
    panel_id = opened["result"]["panel"]["id"]
    owner_rest.action("panel.pose", panel=panel_id, position=[-2.2, 1.5, -2.49], surface="lounge/wall-north")
    return panel_id


def _enter_ar(page: Any) -> None:
    """Into the immersive session, where the twin is the room: the page's talk button is out of reach."""
    _talk_ready(page)
    page.wait_for_function("!document.getElementById('xr-button').disabled")
    page.click("#xr-button")
    page.wait_for_function("window.__twinspace.xr.presenting === true && window.__twinspace.xr.mode === 'immersive-ar'")
    page.wait_for_timeout(300)  # the controllers connect


def _squeeze(page: Any, value: float, hand: str = "right") -> None:
    press_button(page, "squeeze", value, hand)
    page.wait_for_timeout(150)  # the emulator applies it on its next frame


def test_headset_squeeze_talks_and_still_resizes_panels(iwer_js: str, open_page: Callable[..., Any],
                                                        owner_rest: Rest, client_hub: Hub,
                                                        command_wav: tuple[Path, float], artifacts: Path) -> None:
    """The real hub: squeeze on a panel resizes it and nobody listens; squeeze pointing away is
    push-to-talk, and the command spoken meanwhile is carried out."""
    _, seconds = command_wav
    panel_id = _wall_panel(owner_rest)
    owner_rest.action("device.power", device="lamp-floor", on=True)
    page = open_page(init_scripts=(iwer_js, emulator(["inline", "immersive-vr", "immersive-ar"])))
    traffic = _record_voice_socket(page)
    wait_for(lambda: panel_in(page, panel_id), what="the panel")
    _enter_ar(page)

    # Squeeze on the panel: its next size, as before, and the microphone stays shut.
    aim(page, [-2.2, 1.5, -2.2])
    page.wait_for_timeout(250)
    _squeeze(page, 1)
    _squeeze(page, 0)
    wait_for(lambda: owner_rest.panel(panel_id)["size_preset"] == "medium", what="the panel resized by a squeeze")
    page.wait_for_timeout(400)
    assert _talk_in_headset(page) == {"talking": False, "state": "idle", "label": None, "ray": None, "captions": []}
    assert page.get_attribute("#talk", "aria-pressed") == "false"
    assert not [t for t in traffic if '"type":"hello"' in t], traffic

    # Squeeze pointing at the ceiling: the talk button, held; the ray turns red and says it listens.
    aim(page, [-2.2, 1.5, -2.2], UP)
    page.wait_for_timeout(250)
    press_button(page, "squeeze", 1)
    page.wait_for_function("window.__twinspace.xr.talk.state === 'listening'", timeout=15_000)
    shown = _talk_in_headset(page)
    assert shown["talking"] and shown["ray"] == LISTENING_RAY, shown
    assert shown["label"].startswith("Listening"), shown
    assert page.get_attribute("#talk", "aria-pressed") == "true"  # the same hold as the page's button's
    page.wait_for_timeout(seconds * 500)
    page.screenshot(path=str(artifacts / "voice-xr-listening.png"))
    page.wait_for_timeout(seconds * 500 + 300)
    _squeeze(page, 0)
    assert page.get_attribute("#talk", "aria-pressed") == "false"
    assert _talk_in_headset(page)["ray"] == RAY

    # What was heard shows in front of the viewer, then the answer under it; the lamp goes off.
    try:
        page.wait_for_function("window.__twinspace.xr.talk.captions.some(c => c.kind === 'said')", timeout=240_000)
    except Exception as e:
        raise AssertionError(f"no transcript in the headset: {_talk_in_headset(page)}; socket: "
                             f"{[t for t in traffic if not t.endswith(' bytes')]}") from e
    said = _talk_in_headset(page)["captions"][0]["text"].lower()
    for word in ("off", "floor", "lamp"):
        assert word in said, said
    page.wait_for_function("window.__twinspace.xr.talk.captions.some(c => c.kind === 'reply')", timeout=120_000)
    captions = _talk_in_headset(page)["captions"]
    assert [c["kind"] for c in captions] == ["said", "reply"], captions
    assert "floor lamp" in captions[1]["text"].lower(), captions
    wait_for(lambda: not _lamp_on(client_hub), timeout=10, what="the hub to have the floor lamp off")
    page.screenshot(path=str(artifacts / "voice-xr-reply.png"))
    sent = [json.loads(t.split(" -> ", 1)[1]) for t in traffic if " -> " in t and not t.endswith(" bytes")]
    assert [m["type"] for m in sent] == ["hello", "end"], sent
    assert sent[0]["endpointing"] == "manual"

    # The reply is spoken (its label by the hand), then the label goes; leaving clears the captions.
    page.wait_for_function("window.__twinspace.xr.talk.state === 'idle'", timeout=60_000)
    assert _talk_in_headset(page)["label"] is None
    page.evaluate("document.getElementById('xr-button').click()")
    page.wait_for_function("window.__twinspace.xr.presenting === false")
    assert _talk_in_headset(page)["captions"] == []


def test_headset_squeeze_protocol(iwer_js: str, open_page: Callable[..., Any], owner_rest: Rest) -> None:
    """A scripted hub: one hand talks at a time, a quick squeeze is a tap, notices show in the headset."""
    _wall_panel(owner_rest)
    page = open_page(init_scripts=(iwer_js, emulator(["inline", "immersive-vr", "immersive-ar"])))
    hub = ScriptedHub(page)
    _enter_ar(page)
    _until(page, lambda: hub.ws is not None, "entering the headset to open the voice socket")

    aim(page, [-2.2, 1.5, -2.2], UP)
    aim(page, [-2.5, 1.5, -2.2], UP, hand="left")
    page.wait_for_timeout(250)
    press_button(page, "squeeze", 1)
    page.wait_for_function("window.__twinspace.xr.talk.state === 'listening'")
    _squeeze(page, 1, "left")  # the other hand joins in and lets go: the right hand still holds the turn
    _squeeze(page, 0, "left")
    assert _talk_in_headset(page)["talking"] and page.get_attribute("#talk", "aria-pressed") == "true"
    _until(page, lambda: sum(isinstance(m, bytes) for m in hub.sent) >= 10, "audio to flow")
    assert "end" not in hub.types()

    def answer() -> None:
        hub.say(type="final", text="turn off the floor lamp", audio_ms=1200, asr_ms=90)
        hub.say(type="applied", action="device.power", args={"device": "lamp-floor", "on": False},
                message="Floor lamp is now off")
        hub.say(type="done", reply="Floor lamp is now off", seconds=0.2)

    hub.on_end = answer
    _squeeze(page, 0)
    _until(page, lambda: hub.types()[-1:] == ["end"], "the squeeze's end to end the turn")
    assert hub.texts()[0]["type"] == "hello" and hub.texts()[0]["endpointing"] == "manual"
    page.wait_for_function("window.__twinspace.xr.talk.captions.length === 2")
    assert _talk_in_headset(page)["captions"] == [
        {"kind": "said", "text": "“turn off the floor lamp”"}, {"kind": "reply", "text": "Floor lamp is now off"}]
    page.wait_for_selector(".turn-spoken .event-applied >> text=Floor lamp is now off")  # the drawer has it too

    # A squeeze too short to be speech: cancelled, and the hint is said in the headset.
    hub.on_end = lambda: None
    press_button(page, "squeeze", 1)
    page.wait_for_function("window.__twinspace.xr.talk.state === 'listening'")
    press_button(page, "squeeze", 0)
    page.wait_for_function("window.__twinspace.xr.talk.captions.some(c => c.kind === 'notice')")
    captions = _talk_in_headset(page)["captions"]  # the last exchange went when the squeeze began
    assert len(captions) == 1 and "Hold the button while you speak" in captions[0]["text"], captions
    _until(page, lambda: hub.types()[-1] == "cancel", "the tap to be cancelled")
    page.evaluate("document.getElementById('xr-button').click()")
    page.wait_for_function("window.__twinspace.xr.presenting === false")
