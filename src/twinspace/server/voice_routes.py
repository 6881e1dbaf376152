"""Voice over HTTP and WebSocket (docs/voice.md).

- `POST /v1/audio/transcriptions`, `POST /v1/audio/speech`: OpenAI-compatible speech to text
  and text to speech with the bundled models.
- `WS /v1/assistant/voice`: the streaming voice turn (voice.session).
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any, Literal, Optional

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.assistant.service import assistant_for
from twinspace.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from twinspace.hub import Hub
from twinspace.spaces import admission
from twinspace.server.auth import bearer, caller, device_key
from twinspace.voice.audio import read_audio, wav_bytes
from twinspace.voice.session import VoiceSession, cpu_worker
from twinspace.voice.speech_in import MODEL_NAME, shared_transcriber
from twinspace.voice.speech_out import MAX_TEXT, VOICE_NAME, shared_synthesizer
from twinspace.voice.vocabulary import hotwords_for

MAX_UPLOAD = 25 * 1024 * 1024  # what OpenAI's API takes, too
ASR_MODELS = ("whisper-1", MODEL_NAME, f"whisper-{MODEL_NAME}")
TTS_MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts", "piper")
# OpenAI clients name their own voices; the hub has one, which answers to all of them.
VOICES = (VOICE_NAME, "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse")
UNAUTHORIZED, FORBIDDEN, GONE = 4401, 4403, 4404


class SpeechIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # OpenAI clients send fields we have no use for
    input: str = Field(min_length=1, max_length=MAX_TEXT, description="the text to speak")
    model: str = "tts-1"
    voice: str = VOICE_NAME
    response_format: Literal["wav", "pcm"] = Field("wav", description="pcm: raw s16le mono at 22050 Hz")
    speed: float = Field(1.0, ge=0.25, le=4.0)

    @field_validator("input")
    @classmethod
    def _printable(cls, text: str) -> str:
        bad = next((i for i, ch in enumerate(text) if ch < " " and ch not in "\t\n\r" or "\x7f" <= ch <= "\x9f"), None)
        if bad is not None:
            raise ValueError(f"the text has a control character (U+{ord(text[bad]):04X}) at position {bad}; "
                             "send plain text")
        return text


def install_voice(app: FastAPI, hub: Hub) -> None:
    data_dir = Path(hub.store.path).parent
    router = APIRouter(prefix="/v1", tags=["voice"])

    @router.post("/audio/transcriptions")  # bodies up to 25 MB: server/body_guard.LIMITS
    async def transcriptions(request: Request, file: UploadFile = File(description="the recording: WAV, MP3, OGG, WebM, FLAC…"),
                             model: str = Form("whisper-1"), language: Optional[str] = Form(None),
                             prompt: Optional[str] = Form(None), response_format: str = Form("json"),
                             temperature: float = Form(0.0), who: Caller = Depends(caller)) -> Any:
        """Speech to text; without a `prompt`, the caller's home lends its names as hot words."""
        if model not in ASR_MODELS:
            raise InvalidInput(f"model {model!r} is not served here; use one of {', '.join(ASR_MODELS)}")
        if language not in (None, "", "en"):
            raise InvalidInput(f"language {language!r} is not available: the bundled model is English-only (en)")
        if response_format not in ("json", "text", "verbose_json"):
            raise InvalidInput(f"response_format {response_format!r} is not supported; use json, text or verbose_json")
        if not 0.0 <= temperature <= 1.0:
            raise InvalidInput("temperature must be between 0 and 1")
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("the file is larger than 25 MB; send a shorter recording")
        if not data:
            raise InvalidInput("the file is empty")
        try:
            samples = await asyncio.to_thread(read_audio, io.BytesIO(data))
        except ValueError as e:
            raise InvalidInput(f"{file.filename or 'the file'} is not audio this hub can read ({e})") from None
        words = None if prompt else hotwords_for(hub, who.home_id)
        transcriber = await asyncio.to_thread(shared_transcriber)
        with transcriber.owner.admit(device_key(request)):
            t = await transcriber.owner.run(transcriber.transcribe, samples, prompt=prompt, hotwords=words,
                                            temperature=temperature)
        if response_format == "text":
            return PlainTextResponse(t.text + "\n")
        if response_format == "json":
            return {"text": t.text}
        return {"task": "transcribe", "language": "english", "duration": round(t.audio_seconds, 3), "text": t.text,
                "segments": [{"id": i, "start": s.start, "end": s.end, "text": s.text}
                             for i, s in enumerate(t.segments)]}

    @router.post("/audio/speech", response_class=Response,
                 responses={200: {"content": {"audio/wav": {}, "audio/pcm": {}}}})
    async def speech(body: SpeechIn, request: Request, _: Caller = Depends(caller)) -> Response:
        """Text to speech, a run of phonemes at a time on the voice's owner (other voices interleave)."""
        if body.model not in TTS_MODELS:
            raise InvalidInput(f"model {body.model!r} is not served here; use one of {', '.join(TTS_MODELS)}")
        if body.voice not in VOICES:
            raise InvalidInput(f"voice {body.voice!r} is not available; the hub's voice is {VOICE_NAME!r}")
        synth = await asyncio.to_thread(shared_synthesizer)
        ticket = synth.owner.admit(device_key(request))
        try:
            runs = await synth.owner.run(synth.plan, body.input)
        except BaseException:
            ticket.release()
            raise
        if body.response_format == "wav":
            with ticket:
                pcm = [await synth.owner.run(synth.audio, run, body.speed) for run in runs]
            return Response(wav_bytes(pcm, synth.sample_rate), media_type="audio/wav")

        async def pcm_chunks() -> Any:
            with ticket:
                for run in runs:
                    yield await synth.owner.run(synth.audio, run, body.speed)

        return StreamingResponse(pcm_chunks(), media_type="audio/pcm",
                                 headers={"X-Sample-Rate": str(synth.sample_rate)})

    async def voice(websocket: WebSocket) -> None:
        await websocket.accept()
        token = websocket.query_params.get("token") or bearer(websocket.headers.get("authorization")) or ""
        try:
            who = admission.refuse_guest(await asyncio.to_thread(access.authenticate, hub.store, token))
            hub.home(who.home_id)
        except Unauthorized as e:
            await websocket.close(UNAUTHORIZED, e.detail[:120])
            return
        except Forbidden as e:  # a guest's pass to a space has no voice turns
            await websocket.close(FORBIDDEN, e.detail[:120])
            return
        except NotFound:
            await websocket.close(GONE, "this home no longer exists on the hub")
            return
        session = await _session(websocket, who)
        loop = asyncio.get_running_loop()
        # A revoked token loses the voice socket at once (access.TokenWatch).
        unwatch = access.token_watch(hub.store).watch(
            token, lambda why: loop.call_soon_threadsafe(loop.create_task, _close(websocket, why)))
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                try:
                    if message.get("bytes") is not None:
                        await session.audio(message["bytes"])
                    else:
                        await _command(session, message.get("text") or "")
                except ValueError as e:
                    await session.send_json({"type": "error", "detail": str(e)})
        except WebSocketDisconnect:
            pass
        finally:
            unwatch()
            await session.close()

    async def _close(websocket: WebSocket, why: str) -> None:
        try:
            await websocket.close(UNAUTHORIZED, why[:120])
        except (RuntimeError, WebSocketDisconnect):
            pass  # already closing

    async def _session(websocket: WebSocket, who: Caller) -> VoiceSession:
        lock = asyncio.Lock()  # sends come from several tasks (partials, the turn, the reply)

        async def send_json(data: dict[str, Any]) -> None:
            async with lock:
                try:
                    await websocket.send_text(json.dumps(data, default=str))
                except (RuntimeError, WebSocketDisconnect):
                    pass  # the client went away; the turn still completes

        async def send_bytes(data: bytes) -> None:
            async with lock:
                try:
                    await websocket.send_bytes(data)
                except (RuntimeError, WebSocketDisconnect):
                    pass

        loop = asyncio.get_running_loop()
        assistant, transcriber, synthesizer = await loop.run_in_executor(
            cpu_worker(), lambda: (assistant_for(hub, data_dir), shared_transcriber(), shared_synthesizer()))
        session = VoiceSession(assistant, who.home_id, who, transcriber=transcriber, synthesizer=synthesizer,
                               send_json=send_json, send_bytes=send_bytes,
                               hotwords=hotwords_for(hub, who.home_id))
        await send_json({"type": "ready", "sample_rate": 16000, "reply_sample_rate": synthesizer.sample_rate,
                         "reply_format": "pcm_s16le"})
        return session

    async def _command(session: VoiceSession, text: str) -> None:
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("text messages must be JSON, e.g. {\"type\": \"end\"}") from None
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "hello":
            session.hello(message)
        elif kind == "end":
            await session.end()
        elif kind == "cancel":
            await session.cancel()
        else:
            raise ValueError(f"unknown message type {kind!r}; send hello, end or cancel, or binary audio")

    app.add_api_websocket_route("/v1/assistant/voice", voice, name="voice")
    app.include_router(router)
