"""One client's WebSocket: who it is, and an outgoing queue with its own writer.

Sending never waits: a room fans an update out by appending the same bytes to every
peer's queue, and each peer's writer drains its queue at its own pace, so one slow
headset does not hold up the others. Document updates that queued up meanwhile go out
merged into one message, so a peer that fell behind catches up in one step instead of
many. A peer that falls `max_backlog` messages behind is closed (1013); y-websocket
clients reconnect and resync by themselves.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from typing import AsyncIterator, Iterator, Optional

from pycrdt import YMessageType, YSyncMessageType, create_update_message, merge_updates, read_message

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from twinspace.actions.registry import Caller
from twinspace.sync.guard import UpdateGuard
from twinspace.sync.presence import Identity

log = logging.getLogger(__name__)
MAX_BACKLOG = 4096
TRY_AGAIN_LATER = 1013
UPDATE = bytes([YMessageType.SYNC, YSyncMessageType.SYNC_UPDATE])  # how an update message starts

_ids = itertools.count(1)


class Peer:
    def __init__(self, websocket: WebSocket, token: str, caller: Caller, identity: Identity,
                 max_backlog: int = MAX_BACKLOG) -> None:
        self.id = next(_ids)
        self.websocket = websocket
        self.token = token  # kept to notice its revocation
        self.caller = caller
        self.identity = identity
        self.tag = f"sync:{self.id}"  # the HomeChange origin of edits this peer causes
        self.client: Optional[int] = None  # the Yjs client id its edits come from, once it made one
        self.guard = UpdateGuard()  # what it may still write (sync/guard.py)
        self._out: deque[bytes] = deque()
        self._ready = asyncio.Event()
        self._max_backlog = max_backlog
        self._close: tuple[int, str] | None = None

    def __repr__(self) -> str:
        return f"<Peer {self.id} {self.caller.person or '?'}@{self.caller.device or '?'}>"

    def send(self, message: bytes) -> None:
        if self._close is not None:
            return
        if len(self._out) >= self._max_backlog:
            log.warning("%r fell %d messages behind; closing it", self, len(self._out))
            self._out.clear()
            self.close(TRY_AGAIN_LATER, "too far behind; reconnect")
            return
        self._out.append(message)
        self._ready.set()

    def close(self, code: int, reason: str) -> None:
        """Close after what is already queued; the writer does it."""
        if self._close is None:
            self._close = (code, reason)
            self._ready.set()

    async def write(self) -> None:
        """Drain the queue until closed; run as the peer's own task."""
        ws = self.websocket
        try:
            while True:
                await self._ready.wait()
                self._ready.clear()
                while self._out:
                    batch = list(self._out)
                    self._out.clear()
                    for message in coalesced(batch):
                        await ws.send_bytes(message)
                if self._close is not None:
                    if ws.application_state is not WebSocketState.DISCONNECTED:
                        await ws.close(*self._close)
                    return
        except (WebSocketDisconnect, RuntimeError, OSError):
            return  # the socket went away; the reader notices and cleans up

    async def messages(self) -> AsyncIterator[bytes]:
        """Binary messages from the client until it disconnects (text frames are ignored)."""
        while self._close is None:
            try:
                message = await self.websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            data = message.get("bytes")
            if data:
                yield data


def coalesced(messages: list[bytes]) -> Iterator[bytes]:
    """The messages in order, each run of consecutive document updates merged into one."""
    run: list[bytes] = []
    for message in messages:
        if message[:2] == UPDATE:
            run.append(message)
            continue
        if run:
            yield _merged(run)
            run = []
        yield message
    if run:
        yield _merged(run)


def _merged(run: list[bytes]) -> bytes:
    if len(run) == 1:
        return run[0]
    return create_update_message(merge_updates(*(read_message(m[2:]) for m in run)))
