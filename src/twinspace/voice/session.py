"""The streaming voice turn: microphone frames in; partial and final transcripts, the
assistant's events and the spoken reply out (protocol in docs/voice.md).

Latency comes from overlapping work with listening: partial transcripts while the person
speaks, and at the first quiet window after speech the utterance is transcribed and read by
the model *before* the silence is confirmed as the end. If speech resumes, that guess is
dropped. With `streaming=False` the session transcribes only after the end (the baseline
bench/voice.py compares against).
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional

import numpy as np

from twinspace.actions.registry import Caller
from twinspace.assistant.assistant import Assistant, TurnResult, Understanding
from twinspace.errors import TwinspaceError
from twinspace.geometry import Viewer
from twinspace.voice.audio import SPEECH_RATE, pcm16_to_float
from twinspace.voice.speakable import speakable
from twinspace.voice.speech_in import Transcriber, Transcript
from twinspace.voice.speech_out import Synthesizer
from twinspace.voice.vad import Endpointer, Mark

SendJson = Callable[[dict[str, Any]], Awaitable[None]]
SendBytes = Callable[[bytes], Awaitable[None]]

PREROLL = SPEECH_RATE // 4  # audio kept from before the VAD fired, so the first sound is not clipped
PARTIAL_EVERY = SPEECH_RATE  # new audio between partial transcripts (each delays a guess it overlaps)
MAX_UTTERANCE = SPEECH_RATE * 30
REPLY_FRAME_SECONDS = 0.1
REPLY_LEAD_SECONDS = 0.5  # how far reply audio runs ahead of playback, so barge-in can stop it

_worker: Optional[Executor] = None
log = logging.getLogger("twinspace.voice")


def cpu_worker() -> Executor:
    """One thread for the hub's speech and model work: both use every core, so in turn."""
    global _worker
    if _worker is None:
        _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="twinspace-voice")
    return _worker


@dataclass
class VoiceContext:
    endpointing: str = "vad"  # "vad": silence ends a turn; "manual": only `end` does (push-to-talk)
    viewer: Optional[Viewer] = None
    room: Optional[str] = None
    focus: Optional[str] = None


@dataclass
class Heard:
    """An utterance transcribed and, when it said anything, read by the model."""

    transcript: Transcript
    understanding: Optional[Understanding]


class VoiceSession:
    def __init__(self, assistant: Assistant, home_id: str, caller: Caller, *, transcriber: Transcriber,
                 synthesizer: Synthesizer, send_json: SendJson, send_bytes: SendBytes,
                 worker: Optional[Executor] = None, streaming: bool = True, hotwords: str = "") -> None:
        self.assistant, self.home_id, self.caller = assistant, home_id, caller
        self.transcriber, self.synthesizer = transcriber, synthesizer
        self.send_json, self.send_bytes = send_json, send_bytes
        self.worker = worker or cpu_worker()
        self.streaming = streaming
        self.hotwords = hotwords
        self.context = VoiceContext()
        self.endpointer = Endpointer()
        self._audio = np.zeros(0, dtype=np.float32)  # recent audio; _audio[0] is sample _audio_start
        self._audio_start = 0
        self._utterance: Optional[int] = None  # sample where the utterance being heard starts
        self._heard_speech = False
        self._partial_at = 0
        self._partial_busy = False
        self._guess: Optional[asyncio.Future[Optional[Heard]]] = None  # work started at a pause
        self._guesses = 0  # bumped at every pause and resume: a queued guess runs only if still the latest
        self._turns: Optional[asyncio.Task[None]] = None
        self._reply: Optional[asyncio.Task[None]] = None
        self._playing_until = 0.0  # monotonic time the client will have played the reply

    @property
    def received(self) -> int:
        return self._audio_start + len(self._audio)

    # --- from the client ------------------------------------------------------------

    def hello(self, message: dict[str, Any]) -> None:
        """Update how turns end and where the speaker is (any field may be left out)."""
        endpointing = message.get("endpointing", self.context.endpointing)
        if endpointing not in ("vad", "manual"):
            raise ValueError('endpointing must be "vad" or "manual"')
        viewer = self.context.viewer
        if message.get("viewer") is not None:
            v = message["viewer"]
            try:
                x, y, z = (float(c) for c in v["position"])
                viewer = Viewer((x, y, z), float(v.get("yaw_deg", 0.0)))
            except (KeyError, TypeError, ValueError) as e:
                raise ValueError('viewer must be {"position": [x, y, z], "yaw_deg": degrees}') from e
        self.context = VoiceContext(endpointing, viewer, message.get("room", self.context.room),
                                    message.get("focus", self.context.focus))

    async def audio(self, data: bytes) -> None:
        samples = pcm16_to_float(data)
        self._audio = np.concatenate([self._audio, samples])
        if self.context.endpointing == "manual" and self._utterance is None:
            self._utterance = self.received - len(samples)  # push-to-talk: all of the press counts
            self._heard_speech = False
        for mark in self.endpointer.feed(samples):
            await self._on_mark(mark)
        if self._utterance is None:
            self._forget(self.received - PREROLL)
            return
        if self.received - self._utterance > MAX_UTTERANCE:
            await self.end()
        elif self.streaming and self.endpointer.loud and self.received - self._partial_at >= PARTIAL_EVERY:
            self._partial()

    async def end(self) -> None:
        """The utterance is over: transcribe it (or take the guess made at the pause), run the turn."""
        start, guess = self._utterance, self._guess
        heard_speech = self._heard_speech or self.endpointer.speaking
        self._utterance, self._guess, self._heard_speech = None, None, False
        self.endpointer.reset()
        if start is None or not heard_speech:
            if start is not None:
                await self.send_json({"type": "final", "text": "", "audio_ms": 0, "asr_ms": 0})
            return
        audio = self._slice(start, self.received)
        self._forget(self.received - PREROLL)
        previous = self._turns
        self._turns = asyncio.create_task(self._finish(audio, guess, previous))

    async def cancel(self) -> None:
        self._utterance, self._guess, self._heard_speech = None, None, False
        self.endpointer.reset()
        await self._stop_reply(announce=False)

    async def close(self) -> None:
        for task in (self._reply, self._turns):
            if task is not None:
                task.cancel()

    async def wait(self) -> None:
        """Until every turn heard so far has been answered (tests and benchmarks)."""
        while self._turns is not None and not self._turns.done():
            await self._turns
        if self._reply is not None and not self._reply.done():
            await self._reply

    # --- listening ------------------------------------------------------------------

    async def _on_mark(self, mark: Mark) -> None:
        if mark.kind == "start":
            await self._stop_reply(announce=True)  # barge-in: the person talks over the reply
            if self._utterance is None:
                self._utterance = max(self._audio_start, mark.sample - PREROLL)
                self._partial_at = self._utterance
            self._heard_speech = True
            await self.send_json({"type": "speech_start"})
        elif mark.kind == "pause" and self._utterance is not None and self.streaming:
            self._guesses += 1
            self._guess = self._run(self._hear_if, self._slice(self._utterance, mark.sample), self._guesses)
        elif mark.kind == "resume":
            self._guesses += 1
            self._guess = None
        elif mark.kind == "end" and self.context.endpointing == "vad":
            await self.end()

    def _partial(self) -> None:
        if self._partial_busy or self._guess is not None:
            return
        self._partial_busy, self._partial_at = True, self.received
        start, audio = self._utterance, self._slice(self._utterance, self.received)  # type: ignore[arg-type]

        def hear() -> Optional[Transcript]:  # not if the utterance ended or a guess began meanwhile
            return self._transcribe(audio) if self._utterance == start and self._guess is None else None

        async def send() -> None:
            try:
                heard = await self._run(hear)
                if heard is not None and self._utterance == start and heard.text:
                    await self.send_json({"type": "partial", "text": heard.text})
            finally:
                self._partial_busy = False

        asyncio.ensure_future(send())

    def _hear_if(self, audio: np.ndarray, guess: int) -> Optional[Heard]:
        """A guess, unless speech resumed or a later pause came while it waited for the worker
        (audio that arrives in a burst has many pauses; only the last one matters)."""
        if guess != self._guesses:
            return None
        transcript = self._transcribe(audio)
        if guess != self._guesses:  # speech resumed while it was transcribed
            return None
        return Heard(transcript, self.assistant.understand(transcript.text) if transcript.text else None)

    def _transcribe(self, audio: np.ndarray) -> Transcript:
        return self.transcriber.transcribe(audio, hotwords=self.hotwords)

    def _run(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        return asyncio.get_running_loop().run_in_executor(self.worker, fn, *args)

    def _slice(self, start: int, end: int) -> np.ndarray:
        return self._audio[max(0, start - self._audio_start):max(0, end - self._audio_start)].copy()

    def _forget(self, before: int) -> None:
        if before > self._audio_start:
            self._audio = self._audio[before - self._audio_start:]
            self._audio_start = before

    # --- answering ------------------------------------------------------------------

    async def _finish(self, audio: np.ndarray, guess: Optional[asyncio.Future[Optional[Heard]]],
                      previous: Optional[asyncio.Task[None]]) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])  # turns are answered in the order they were spoken
        try:
            await self._answer(audio, guess)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - the device must hear that its turn failed
            log.exception("voice turn failed")
            await self.send_json({"type": "error", "detail": f"the voice turn failed on the hub: {e}"})

    async def _answer(self, audio: np.ndarray, guess: Optional[asyncio.Future[Optional[Heard]]]) -> None:
        heard = await guess if guess is not None else None
        if heard is None:
            heard = Heard(await self._run(self._transcribe, audio), None)
        t = heard.transcript
        await self.send_json({"type": "final", "text": t.text, "audio_ms": round(len(audio) / SPEECH_RATE * 1000),
                              "asr_ms": round(t.seconds * 1000)})
        if not t.text:
            return
        said: list[str] = []
        result = await self._turn(t.text, heard.understanding, said)
        opened = [o for o in result.applied if o.action == "panel.open" and o.result]
        if opened:  # "make it bigger" next refers to what was just opened
            self.context.focus = opened[-1].result["panel"]["id"]
        self._reply = asyncio.create_task(self._speak(speakable(said) or "Done."))

    async def _turn(self, text: str, understanding: Optional[Understanding], said: list[str]) -> TurnResult:
        """Run the assistant's turn, sending its events; `said` gets each event's message."""
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[Optional[dict[str, Any]]] = asyncio.Queue()
        result = TurnResult(text, None)
        c = self.context

        def run() -> None:
            try:
                for event in self.assistant.events(self.home_id, text, caller=self.caller, viewer=c.viewer,
                                                   room=c.room, focus=c.focus, result=result,
                                                   understanding=understanding):
                    loop.call_soon_threadsafe(events.put_nowait, {"type": event.type, **event.data})
            except TwinspaceError as e:
                result.reply = e.detail
                loop.call_soon_threadsafe(events.put_nowait, {"type": "refused", "message": e.detail})
            finally:
                loop.call_soon_threadsafe(events.put_nowait, None)

        work = self._run(run)
        while (event := await events.get()) is not None:
            if event.get("message") and event["type"] != "done":
                said.append(event["message"])
            await self.send_json(event)
        await work
        return result

    async def _speak(self, text: str) -> None:
        rate = self.synthesizer.sample_rate
        frame = int(rate * REPLY_FRAME_SECONDS) * 2
        await self.send_json({"type": "reply_start", "text": text, "sample_rate": rate, "format": "pcm_s16le"})
        sentences = self.synthesizer.stream(text)
        started, sent = time.monotonic(), 0.0
        while (pcm := await asyncio.to_thread(next, sentences, None)) is not None:
            for i in range(0, len(pcm), frame):
                ahead = sent - (time.monotonic() - started)
                if ahead > REPLY_LEAD_SECONDS:
                    await asyncio.sleep(ahead - REPLY_LEAD_SECONDS)
                chunk = pcm[i:i + frame]
                await self.send_bytes(chunk)
                sent += len(chunk) / 2 / rate
                self._playing_until = started + sent
        await self.send_json({"type": "reply_end"})

    async def _stop_reply(self, announce: bool) -> None:
        speaking = self._reply is not None and not self._reply.done()
        if speaking:
            self._reply.cancel()  # type: ignore[union-attr]
        if announce and (speaking or time.monotonic() < self._playing_until):
            await self.send_json({"type": "barge_in"})
        self._playing_until = 0.0
