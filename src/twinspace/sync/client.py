"""A Python replica of a home's live document: a y-websocket client on pycrdt.

For Python tools, the tests and the fan-out benchmark. It speaks the same protocol as the
browser's `y-websocket` provider (sync steps, updates, awareness), so it works against the
hub and against any y-websocket server:

    async with SyncClient(f"ws://127.0.0.1:8080/api/v1/sync/{home}", token,
                          presence={"kind": "browser"}) as client:
        await client.synced.wait()
        panels = client.doc.get("panels", type=Map)
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Callable, Optional
from urllib.parse import quote

from pycrdt import (
    Awareness, Doc, TransactionEvent, YMessageType, YSyncMessageType, create_awareness_message,
    create_sync_message, create_update_message, handle_sync_message, read_message,
)
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

RENEW_S = 15.0


class SyncClient:
    def __init__(self, url: str, token: Optional[str] = None, *, doc: Optional[Doc] = None,
                 presence: Optional[dict[str, Any]] = None, headers: Optional[dict[str, str]] = None,
                 on_remote: Optional[Callable[["SyncClient"], None]] = None) -> None:
        self.url = url if token is None else f"{url}{'&' if '?' in url else '?'}token={quote(token)}"
        self.headers = headers or {}
        self.doc = doc if doc is not None else Doc()
        self.awareness = Awareness(self.doc)
        self.awareness.set_local_state(presence)
        self.synced = asyncio.Event()
        self.closed = asyncio.Event()
        self.close_code: Optional[int] = None
        self.on_remote = on_remote  # called after every update from the server is applied
        self._ws: Optional[ClientConnection] = None
        self._out: asyncio.Queue[bytes] = asyncio.Queue()
        self._applying = False
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._subscription = self.doc.observe(self._on_local_update)
        self.awareness.observe(self._on_awareness)

    async def __aenter__(self) -> "SyncClient":
        self._ws = await connect(self.url, additional_headers=self.headers, max_size=None, compression=None,
                                 open_timeout=30)
        self._out.put_nowait(create_sync_message(self.doc))
        if (state := self.awareness.get_local_state()) is not None:
            self.set_presence(state)
        self._tasks = [asyncio.create_task(c) for c in (self._read(), self._write(), self._renew())]
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        if self._ws is None:
            return
        with contextlib.suppress(Exception):
            await self._ws.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.doc.unobserve(self._subscription)
        self.closed.set()

    # --- presence ---------------------------------------------------------------------

    def set_presence(self, state: Optional[dict[str, Any]]) -> None:
        self.awareness.set_local_state(state)

    async def _renew(self) -> None:
        """Re-announce presence before servers time it out (y-protocols: every 15 s)."""
        while True:
            await asyncio.sleep(RENEW_S)
            if (state := self.awareness.get_local_state()) is not None:
                self.set_presence(state)

    def peers(self) -> dict[int, dict[str, Any]]:
        """Everyone else's presence, by Yjs client id."""
        return {c: s for c, s in self.awareness.states.items() if c != self.doc.client_id}

    def _on_awareness(self, topic: str, event: tuple[dict[str, Any], Any]) -> None:
        changes, origin = event
        if topic == "update" and origin == "local" and self._ws is not None:
            clients = changes["added"] + changes["updated"] + changes["removed"]
            self._out.put_nowait(create_awareness_message(self.awareness.encode_awareness_update(clients)))
        self._changed.set()

    # --- the document -----------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until `predicate()` is truthy (re-checked after every message); return its value."""
        async def check() -> Any:
            while not (value := predicate()):
                self._changed.clear()
                if self.closed.is_set():
                    raise ConnectionError(f"the connection closed (code {self.close_code})")
                await self._changed.wait()
            return value

        return await asyncio.wait_for(check(), timeout)

    def _on_local_update(self, event: TransactionEvent) -> None:
        if not self._applying and self._ws is not None:
            self._out.put_nowait(create_update_message(event.update))

    async def _write(self) -> None:
        assert self._ws is not None
        with contextlib.suppress(ConnectionClosed):
            while True:
                await self._ws.send(await self._out.get())

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for message in self._ws:
                if isinstance(message, str) or not message:
                    continue
                self._receive(message)
                self._changed.set()
        except ConnectionClosed:
            pass
        finally:
            self.close_code = self._ws.close_code
            self.closed.set()
            self._changed.set()

    def _receive(self, message: bytes) -> None:
        if message[0] == YMessageType.SYNC:
            self._applying = True
            try:
                reply = handle_sync_message(message[1:], self.doc)
            finally:
                self._applying = False
            if reply is not None:
                self._out.put_nowait(reply)
            if message[1] == YSyncMessageType.SYNC_STEP2:
                self.synced.set()
            if message[1] != YSyncMessageType.SYNC_STEP1 and self.on_remote is not None:
                self.on_remote(self)
        elif message[0] == YMessageType.AWARENESS:
            self.awareness.apply_awareness_update(read_message(message[1:]), "remote")
