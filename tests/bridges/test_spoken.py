"""Spoken, end to end: espeak-ng says "turn on the kitchen light", the hub's voice turn hears
it (the bundled Whisper, the home's hot words), the assistant acts, and the kitchen pendant's
bridge carries it to the fake Home Assistant as `light.turn_on`."""

from __future__ import annotations

import asyncio
import sys
from contextlib import contextmanager
from pathlib import Path

import support
from bridge_helpers import OWNER, bind_home_assistant, running
from twinspace.assistant.service import assistant_for
from twinspace.voice.session import VoiceSession
from twinspace.voice.speech_in import shared_transcriber
from twinspace.voice.speech_out import shared_synthesizer
from twinspace.voice.vocabulary import hotwords_for

sys.path.insert(0, str(Path(__file__).parents[1] / "voice"))
from voice_helpers import espeak, frames, padded, plain  # noqa: E402

SOFA = {"position": [0, 1.2, 1.8], "yaw_deg": 0}


def test_spoken_turn_on_the_kitchen_light_reaches_home_assistant(tmp_path, fake_ha) -> None:
    hub = support.content_hub(tmp_path)
    bind_home_assistant(hub, fake_ha, {"light-pendant": "light.kitchen_pendant"})
    messages: list[dict] = []

    async def json(message: dict) -> None:
        messages.append(message)

    async def audio(_: bytes) -> None:
        pass  # the spoken reply; the voice tests check it

    with contextmanager(running)(hub, "light-pendant"):
        session = VoiceSession(assistant_for(hub, tmp_path), "demo-loft", OWNER, transcriber=shared_transcriber(),
                               synthesizer=shared_synthesizer(), send_json=json, send_bytes=audio,
                               hotwords=hotwords_for(hub, "demo-loft"))
        session.hello({"viewer": SOFA, "room": "lounge"})

        async def speak() -> None:
            for frame in frames(padded(espeak("turn on the kitchen light", "en-us", 150))):
                await session.audio(frame)
            await session.wait()

        asyncio.run(speak())
        final = next(m for m in messages if m["type"] == "final")
        assert plain(final["text"]) == "turn on the kitchen light", final
        applied = [m for m in messages if m["type"] == "applied"]
        assert [(a["action"], a["args"]) for a in applied] == [
            ("device.power", {"device": "light-pendant", "on": True})]
        assert [(c["domain"], c["service"], c["target"]) for c in fake_ha.calls] == [
            ("light", "turn_on", {"entity_id": "light.kitchen_pendant"})]
        assert hub.home("demo-loft").device_state("light-pendant").on is True
    hub.store.close()
