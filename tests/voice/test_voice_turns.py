"""The streaming voice turn with the real models: audio in, transcripts, actions and spoken replies out."""

import asyncio

import numpy as np
import pytest

from voice_helpers import espeak, frames, padded, piper, plain
from twinspace.actions.registry import Caller
from twinspace.assistant.service import assistant_for
from twinspace.voice.session import VoiceSession
from twinspace.voice.speech_in import shared_transcriber
from twinspace.voice.speech_out import shared_synthesizer

SOFA = {"position": [0, 1.2, 1.8], "yaw_deg": 0}
ALEX = Caller("demo-loft", "alex", "quest-alex", "owner")


class Counting:
    """The shared transcriber, noting the length of every piece of audio it is given."""

    def __init__(self) -> None:
        self.inner, self.calls = shared_transcriber(), []

    def transcribe(self, samples, **kwargs):
        self.calls.append(len(samples))
        return self.inner.transcribe(samples, **kwargs)


class Client:
    """What a device receives: JSON messages in order, and reply audio bytes after each reply_start."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.audio: list[int] = []

    async def json(self, message: dict) -> None:
        self.messages.append(message)
        if message["type"] == "reply_start":
            self.audio.append(0)

    async def bytes(self, data: bytes) -> None:
        self.audio[-1] += len(data)

    def types(self) -> list[str]:
        return [m["type"] for m in self.messages]

    def first(self, kind: str) -> dict:
        return next(m for m in self.messages if m["type"] == kind)


def session_for(hub, tmp_path, words="", streaming=True):
    client, asr = Client(), Counting()
    session = VoiceSession(assistant_for(hub, tmp_path), "demo-loft", ALEX, transcriber=asr,
                           synthesizer=shared_synthesizer(), send_json=client.json, send_bytes=client.bytes,
                           streaming=streaming, hotwords=words)
    session.hello({"viewer": SOFA, "room": "lounge"})
    return session, client, asr


async def say(session, audio, realtime: bool = False) -> None:
    for frame in frames(audio):
        await session.audio(frame)
        await asyncio.sleep(0.04 if realtime else 0)


def lamp_on(hub) -> bool:
    lamp = next(d for _, d in hub.home("demo-loft").devices() if d.id == "lamp-floor")
    return bool(lamp.state and lamp.state.on)


def test_a_spoken_request_is_heard_acted_on_and_answered(content_hub, tmp_path, home_words) -> None:
    session, client, asr = session_for(content_hub, tmp_path, home_words)
    assert not lamp_on(content_hub)

    async def run() -> None:
        await say(session, padded(piper("turn on the floor lamp"), after=1.0))
        await session.wait()

    asyncio.run(run())
    types = client.types()
    assert types[0] == "speech_start"
    assert types.index("final") < types.index("applied") < types.index("done") < types.index("reply_start")
    assert types[-1] == "reply_end"
    final = client.first("final")
    assert plain(final["text"]) == "turn on the floor lamp" and final["audio_ms"] > 1000
    assert client.first("applied")["action"] == "device.power" and client.first("applied")["args"] == {
        "device": "lamp-floor", "on": True}
    assert lamp_on(content_hub)
    reply = client.first("reply_start")
    assert "lamp" in reply["text"].lower() and reply["sample_rate"] == 22050
    assert client.audio[0] > 22050  # over half a second of 16-bit audio
    # The turn used the transcript made at the pause, before the silence was confirmed:
    # the last audio transcribed is shorter than the utterance (which includes the silence).
    assert asr.calls[-1] < final["audio_ms"] * 16 - 16000 * 0.3
    # The audio came in a burst, with a pause mid-phrase: guesses overtaken while they waited
    # for the worker were skipped, not transcribed one after another.
    assert len(asr.calls) <= 2, asr.calls


def test_without_streaming_the_whole_utterance_is_transcribed_after_the_end(content_hub, tmp_path, home_words) -> None:
    session, client, asr = session_for(content_hub, tmp_path, home_words, streaming=False)

    async def run() -> None:
        await say(session, padded(piper("turn on the floor lamp"), after=1.0), realtime=True)
        await session.wait()

    asyncio.run(run())
    assert "partial" not in client.types()
    assert asr.calls == [client.first("final")["audio_ms"] * 16]  # once, all of it, silence included
    assert lamp_on(content_hub)


def test_partials_arrive_while_speaking(content_hub, tmp_path, home_words) -> None:
    session, client, _ = session_for(content_hub, tmp_path, home_words)
    text = "put arena sports on the wall to my right and make it a bit bigger please"

    async def run() -> None:
        await say(session, padded(piper(text), after=1.0), realtime=True)
        await session.wait()

    asyncio.run(run())
    types = client.types()
    assert "partial" in types and types.index("partial") < types.index("final")
    partial, final = plain(client.first("partial")["text"]), plain(client.first("final")["text"])
    assert partial.split()[0] == final.split()[0] == "put" and len(partial.split()) < len(final.split())
    assert final.startswith("put arena sports on the wall to my right")
    assert client.first("applied")["action"] == "panel.open"


def test_speaking_over_the_reply_stops_it(content_hub, tmp_path, home_words) -> None:
    session, client, _ = session_for(content_hub, tmp_path, home_words)

    async def run() -> None:
        # A reply of several sentences ("Floor lamp is now on. Ceiling light is now on."), so
        # the second request starts well before it ends however busy the machine is.
        await say(session, padded(piper("turn on all the lights"), after=0.8))
        while "reply_start" not in client.types():
            await asyncio.sleep(0.01)
        await say(session, padded(piper("turn off the ceiling light"), before=0.1, after=1.0), realtime=True)
        await session.wait()

    asyncio.run(run())
    types = client.types()
    first_reply, second_final = types.index("reply_start"), len(types) - 1 - types[::-1].index("final")
    assert "barge_in" in types[first_reply:second_final]  # while the first reply was (still) playing
    # And the new request was heard and answered.
    assert [plain(m["text"]) for m in client.messages if m["type"] == "final"] == [
        "turn on all the lights", "turn off the ceiling light"]
    assert types[-1] == "reply_end"


def test_push_to_talk_ends_only_on_release(content_hub, tmp_path, home_words) -> None:
    session, client, _ = session_for(content_hub, tmp_path, home_words)
    session.hello({"endpointing": "manual"})

    async def run() -> None:
        await say(session, padded(piper("turn on the floor lamp"), after=1.5))
        await asyncio.sleep(0.2)
        assert "final" not in client.types()  # a long silence alone does not end a push-to-talk turn
        await session.end()
        await session.wait()

    asyncio.run(run())
    assert plain(client.first("final")["text"]) == "turn on the floor lamp"
    assert lamp_on(content_hub)


def test_a_press_with_nothing_said_runs_no_turn(content_hub, tmp_path) -> None:
    session, client, asr = session_for(content_hub, tmp_path)
    session.hello({"endpointing": "manual"})

    async def run() -> None:
        await say(session, np.zeros(16000, np.float32))
        await session.end()
        await session.wait()

    asyncio.run(run())
    assert client.messages == [{"type": "final", "text": "", "audio_ms": 0, "asr_ms": 0}]
    assert asr.calls == []  # Whisper is not asked to find words in silence (where it invents some)


@pytest.mark.parametrize("message, error", [
    ({"endpointing": "always"}, "endpointing"),
    ({"viewer": {"position": [0, 1]}}, "viewer"),
    ({"viewer": {"yaw_deg": 3}}, "viewer"),
])
def test_bad_hello_is_refused_clearly(content_hub, tmp_path, message, error) -> None:
    session, _, _ = session_for(content_hub, tmp_path)
    with pytest.raises(ValueError, match=error):
        session.hello(message)


def test_a_long_reply_stops_where_the_person_speaks(content_hub, tmp_path) -> None:
    session, client, _ = session_for(content_hub, tmp_path)
    long = " ".join(["Arena Sports has the late match, then highlights, then the news at ten."] * 6)

    async def run() -> None:
        session._reply = asyncio.create_task(session._speak(long))
        while not client.audio or client.audio[0] < 22050 * 2:  # a second of it has been sent
            await asyncio.sleep(0.01)
        await say(session, padded(piper("stop"), before=0.1, after=0.2), realtime=True)
        await asyncio.sleep(0.3)

    asyncio.run(run())
    types = client.types()
    assert "barge_in" in types and "reply_end" not in types
    full_length = sum(len(c) for c in shared_synthesizer().stream(long))
    assert client.audio[0] < full_length / 3  # paced at playback speed, so most was never sent


def test_a_misheard_request_still_finds_what_was_meant(content_hub, tmp_path, home_words) -> None:
    """espeak-ng's "football" reaches Whisper as "foot all"; grounding hears the football in it."""
    session, client, _ = session_for(content_hub, tmp_path, home_words)
    session.hello({"endpointing": "manual"})

    async def run() -> None:
        await say(session, padded(espeak("put the football on the wall to my right", "en-us", 150)))
        await session.end()
        await session.wait()

    asyncio.run(run())
    heard = plain(client.first("final")["text"])
    assert "foot all" in heard and "football" not in heard  # what makes the test worth having
    applied = client.first("applied")
    assert applied["action"] == "panel.open" and applied["args"]["content"] == "channel:arena.demo"
    assert applied["args"]["placement"]["surface"] == "lounge/wall-east"


def test_a_failure_on_the_hub_is_reported_and_the_next_turn_works(content_hub, tmp_path, home_words) -> None:
    session, client, asr = session_for(content_hub, tmp_path, home_words)
    session.hello({"endpointing": "manual"})
    real = asr.transcribe
    asr.transcribe = lambda samples, **kw: (_ for _ in ()).throw(RuntimeError("out of memory"))

    async def run() -> None:
        await say(session, padded(piper("turn on the floor lamp")))
        await session.end()
        await session.wait()
        asr.transcribe = real
        await say(session, padded(piper("turn on the floor lamp")))
        await session.end()
        await session.wait()

    asyncio.run(run())
    error = client.first("error")
    assert error["detail"] == "the voice turn failed on the hub: out of memory"
    assert client.types().index("error") < client.types().index("final")
    assert lamp_on(content_hub)
