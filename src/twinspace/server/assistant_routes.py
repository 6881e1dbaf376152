"""The assistant over HTTP: home-aware turns, and an OpenAI-compatible chat API.

- `POST /v1/assistant/turns`: text + viewer → actions applied + reply; `stream: true` sends
  the turn's events as server-sent events as they happen.
- `GET /v1/models`, `POST /v1/chat/completions`: existing OpenAI clients work against the
  hub with a device token as the API key. Model `twinspace-home` is the home assistant
  (its actions come back as `tool_calls`, already applied); the other models are plain
  local chat with `tools`, `tool_choice`, `response_format` and `stream` handled by
  llama.cpp.

Model work runs on the model's owner (model_owner) and is awaited: a turn never holds one
of the threads that serve the API, and beyond a device's share of the queue it is a 429.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Iterator, Literal, Optional

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from twinspace.actions.registry import Caller
from twinspace.assistant.assistant import Assistant, Event, TurnResult
from twinspace.assistant.runtime import MODELS
from twinspace.assistant.service import load_model
from twinspace.errors import InvalidInput
from twinspace.geometry import Viewer
from twinspace.hub import Hub
from twinspace.model_owner import Ticket, owner_of
from twinspace.server.auth import caller, device_key

HOME_MODEL = "twinspace-home"
TEXT_MAX = 500  # characters of a request to the home assistant (its context is 1k tokens)


class ViewerPose(BaseModel):
    model_config = ConfigDict(extra="forbid")
    position: tuple[float, float, float]
    yaw_deg: float = 0.0


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=TEXT_MAX, description="what the person said or typed")
    viewer: Optional[ViewerPose] = None
    room: Optional[str] = None
    focus: Optional[str] = Field(None, description="the panel the person is looking at")
    confirm: bool = Field(False, description="confirm actions that asked for confirmation")
    stream: bool = False


class TurnOut(BaseModel):
    reply: str
    commands: str
    applied: list[dict[str, Any]]
    pending: list[dict[str, Any]]
    answers: list[dict[str, Any]]
    ms: float
    layer: str = "model"  # which layer understood the request: "template" or "model"


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: Optional[Any] = None


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="allow")  # OpenAI clients send many optional fields
    model: str = HOME_MODEL
    messages: list[ChatMessage] = Field(min_length=1)
    tools: Optional[list[dict[str, Any]]] = None
    tool_choice: Optional[Any] = None
    response_format: Optional[dict[str, Any]] = None
    stream: bool = False
    max_tokens: Optional[int] = Field(None, ge=1, le=2048)
    temperature: Optional[float] = Field(None, ge=0, le=2)


def _turn_out(result: TurnResult) -> TurnOut:
    u = result.understanding
    return TurnOut(reply=result.reply, commands=u.raw if u else "",
                   applied=[{"action": o.action, "args": o.args, "message": o.message} for o in result.applied],
                   pending=[{"action": p.action, "args": p.args, "reason": p.reason} for p in result.pending],
                   answers=[{"action": o.action, "args": o.args, "message": o.message, "result": o.result}
                            for o in result.answers],
                   ms=round(result.seconds * 1000, 1), layer=result.layer)


def _sse(events: Iterator[dict[str, Any]] | AsyncIterator[dict[str, Any]],
         ticket: Optional[Ticket] = None) -> StreamingResponse:
    async def body() -> AsyncIterator[str]:
        try:
            if isinstance(events, Iterator):
                for event in events:
                    yield f"data: {json.dumps(event, default=str)}\n\n"
            else:
                async for event in events:
                    yield f"data: {json.dumps(event, default=str)}\n\n"
            yield "data: [DONE]\n\n"
        finally:
            if ticket is not None:
                ticket.release()

    return StreamingResponse(body(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def _started(items: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """`items` with its first one already awaited, so a refusal is an error response, not a
    broken stream."""
    try:
        first = await items.__anext__()
    except StopAsyncIteration:
        first = None

    async def chained() -> AsyncIterator[Any]:
        if first is not None:
            yield first
        async for item in items:
            yield item

    return chained()


def _last_user_text(messages: list[ChatMessage]) -> str:
    for m in reversed(messages):
        if m.role == "user":
            if isinstance(m.content, str):
                return m.content
            if isinstance(m.content, list):  # content parts
                return " ".join(str(p.get("text", "")) for p in m.content if isinstance(p, dict))
    raise InvalidInput("messages: there is no user message to answer")


def _home_text(messages: list[ChatMessage]) -> str:
    text = _last_user_text(messages)
    if not text.strip():
        raise InvalidInput("messages: the last user message is empty; say what to do")
    if len(text) > TEXT_MAX:
        raise InvalidInput(f"messages: the last user message is {len(text)} characters; {HOME_MODEL} takes "
                           f"requests of at most {TEXT_MAX}")
    return text


def install_assistant(app: FastAPI, hub: Hub) -> None:
    data_dir = Path(hub.store.path).parent
    router = APIRouter(prefix="/v1", tags=["assistant"])

    async def assistant() -> Assistant:
        return Assistant(hub, await asyncio.to_thread(load_model, data_dir))  # loads once, ~1 s

    @router.post("/assistant/turns", response_model=TurnOut)
    async def turns(body: TurnIn, request: Request, who: Caller = Depends(caller)) -> Any:
        """One turn of the home assistant, as the calling device's person."""
        a = await assistant()
        viewer = Viewer(body.viewer.position, body.viewer.yaw_deg) if body.viewer else None
        kwargs = dict(caller=who, viewer=viewer, room=body.room, focus=body.focus, confirmed=body.confirm)
        owner = owner_of(a.model)
        ticket = owner.admit(device_key(request))
        if body.stream:
            events = owner.iterate(a.events, who.home_id, body.text, **kwargs)
            return _sse(({"type": e.type, **e.data} async for e in events), ticket)
        with ticket:
            return _turn_out(await owner.run(a.turn, who.home_id, body.text, **kwargs))

    @router.get("/models")
    def models(_: Caller = Depends(caller)) -> dict[str, Any]:
        names = [HOME_MODEL, *MODELS]
        return {"object": "list", "data": [{"id": n, "object": "model", "created": 0, "owned_by": "twinspace"}
                                           for n in names]}

    @router.post("/chat/completions")
    async def chat(body: ChatIn, request: Request, who: Caller = Depends(caller)) -> Any:
        if body.model == HOME_MODEL:
            return await _home_chat(body, who, request)
        if body.model not in MODELS:
            raise InvalidInput(f"model {body.model!r} is not served here; see GET /v1/models")
        model = await asyncio.to_thread(load_model, data_dir, body.model)  # chat runs without the adapter
        kwargs: dict[str, Any] = {"messages": [m.model_dump(exclude_none=True) for m in body.messages],
                                  "stream": body.stream, "max_tokens": body.max_tokens or 256,
                                  "temperature": 0.0 if body.temperature is None else body.temperature}
        for key in ("tools", "tool_choice", "response_format"):
            if getattr(body, key) is not None:
                kwargs[key] = getattr(body, key)
        owner = owner_of(model)
        ticket = owner.admit(device_key(request))
        if body.stream:
            try:
                chunks = await _started(owner.iterate(model.chat, **kwargs))
            except BaseException:
                ticket.release()
                raise
            return _sse(chunks, ticket)
        with ticket:
            return await owner.run(model.chat, **kwargs)

    async def _home_chat(body: ChatIn, who: Caller, request: Request) -> Any:
        text = _home_text(body.messages)
        a = await assistant()
        with owner_of(a.model).admit(device_key(request)):
            result = await owner_of(a.model).run(a.turn, who.home_id, text, caller=who)
        created, cid = int(time.time()), f"chatcmpl-{uuid.uuid4().hex[:24]}"
        calls = [{"id": f"call_{i}", "type": "function",
                  "function": {"name": o.action, "arguments": json.dumps(o.args)}}
                 for i, o in enumerate(result.applied)]
        message: dict[str, Any] = {"role": "assistant", "content": result.reply}
        if calls:
            message["tool_calls"] = calls
        usage = result.understanding
        response = {"id": cid, "object": "chat.completion", "created": created, "model": HOME_MODEL,
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": usage.prompt_tokens if usage else 0,
                              "completion_tokens": usage.completion_tokens if usage else 0,
                              "total_tokens": (usage.prompt_tokens + usage.completion_tokens) if usage else 0}}
        if not body.stream:
            return response
        chunk = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": HOME_MODEL}
        return _sse(iter([
            {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": result.reply,
                                                         **({"tool_calls": calls} if calls else {})},
                                   "finish_reason": None}]},
            {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]))

    app.include_router(router)
