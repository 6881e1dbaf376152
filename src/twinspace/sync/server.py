"""The sync endpoint: `ws://host/api/v1/sync/{home_id}`, one live document per home.

`install_sync(app, hub)` adds the WebSocket route and a lifespan hook. The hub calls its
listeners on whichever thread committed the change, so the listener only hops onto the
event loop (`call_soon_threadsafe`); everything touching a document runs there.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable, Optional

from fastapi import FastAPI, WebSocket

from twinspace import access
from twinspace.errors import Forbidden, NotFound, Unauthorized
from twinspace.hub import HomeChange, Hub
from twinspace.server.auth import bearer
from twinspace.spaces import admission
from twinspace.sync.peer import Peer
from twinspace.sync.presence import Identity
from twinspace.sync.room import HomeRoom, consistent_home

log = logging.getLogger(__name__)
PATH = "/api/v1/sync/{home_id}"
UNAUTHORIZED, FORBIDDEN, GONE = 4401, 4403, 4404


class SyncService:
    """The live documents of a hub's homes, built from the store on first use."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.rooms: dict[str, HomeRoom] = {}
        self._creating: dict[str, asyncio.Lock] = {}
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._unsubscribe: Optional[Callable[[], None]] = None
        self._pending: dict[str, HomeChange] = {}  # per home, the newest change not yet delivered
        self._pending_guard = threading.Lock()
        self.feed: Any = None  # cluster.feed.ChangeFeed on a cluster replica: streams instead of polling
        self._catching_up: set[str] = set()

    def _start(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._unsubscribe = self.hub.subscribe(self._on_change)
            cluster = self.hub.cluster
            if cluster is not None and cluster.ownership is not None:
                from twinspace.cluster.feed import ChangeFeed

                self.feed = ChangeFeed(cluster.feed_client(), self._threadsafe(self._on_stream))
                self.feed.start()
                cluster.ownership.on_lost(self._threadsafe(self._on_lost))
                cluster.ownership.on_retaken(self._threadsafe(lambda home_id: self._on_stream([], {home_id})))

    def _threadsafe(self, fn: Callable[..., None]) -> Callable[..., None]:
        """`fn`, called from another thread, run on the loop."""
        loop = self._loop
        assert loop is not None

        def hop(*args: Any) -> None:
            try:
                loop.call_soon_threadsafe(fn, *args)
            except RuntimeError:  # the loop closed
                pass

        return hop

    def _on_stream(self, events: list[Any], gaps: set[str]) -> None:
        """Changes another process committed (read from the homes' streams): catch the rooms up."""
        behind = set(gaps) | {e.home_id for e in events
                              if (room := self.rooms.get(e.home_id)) is not None and e.version > room.version}
        for home_id in behind - self._catching_up:
            room = self.rooms.get(home_id)
            if room is not None:
                self._catching_up.add(home_id)
                task = asyncio.ensure_future(room.catch_up())
                task.add_done_callback(lambda _, h=home_id: self._catching_up.discard(h))

    def _on_lost(self, home_id: str) -> None:
        """Another replica owns the home now: its clients reconnect and are served there."""
        room = self.rooms.pop(home_id, None)
        if self.feed is not None:
            self.feed.unfollow(home_id)
        if room is not None:
            asyncio.ensure_future(room.close(1012, "this home moved to another hub replica; reconnect"))

    async def stop(self) -> None:
        if self.feed is not None:
            await asyncio.to_thread(self.feed.stop)
            self.feed = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        rooms, self.rooms = list(self.rooms.values()), {}
        for room in rooms:
            await room.close()
        self._loop = None

    @asynccontextmanager
    async def lifespan(self, _app: Any) -> AsyncIterator[None]:
        self._start()
        try:
            yield
        finally:
            await self.stop()

    def _on_change(self, change: HomeChange) -> None:
        """Runs on the committing thread: hand the change to the loop, never block it.

        Changes that pile up before the loop gets to them are coalesced: the document only
        needs the newest home (it writes a diff against what it holds), so a burst of
        commits becomes one document transaction and one update per peer."""
        loop = self._loop
        if loop is None:
            return
        with self._pending_guard:
            queued = self._pending.get(change.home_id)
            if queued is None or queued.version < change.version:
                self._pending[change.home_id] = change
            if queued is not None:
                return  # a delivery is already on its way and will take the newest
        try:
            loop.call_soon_threadsafe(self._deliver, change.home_id)
        except RuntimeError:  # the loop closed while the hub was still committing
            pass

    def _deliver(self, home_id: str) -> None:
        with self._pending_guard:
            change = self._pending.pop(home_id, None)
        room = self.rooms.get(home_id)
        if change is not None and room is not None:
            room.deliver(change)

    async def room(self, home_id: str) -> HomeRoom:
        """The home's live document, built from the store the first time it is asked for."""
        self._start()  # also without a lifespan (e.g. a bare TestClient)
        room = self.rooms.get(home_id)
        if room is not None and not room.gone:
            return room
        async with self._creating.setdefault(home_id, asyncio.Lock()):
            room = self.rooms.get(home_id)
            if room is not None and room.gone:
                del self.rooms[home_id]
                await room.close()
                room = None
            if room is None:
                if self.feed is not None:  # before loading: what is committed after the load is streamed
                    await asyncio.to_thread(self.feed.follow, home_id)
                home, version = await asyncio.to_thread(consistent_home, self.hub, home_id)
                room = HomeRoom(self.hub, home, version, poll=self.feed is None)
                room.start()
                self.rooms[home_id] = room
                await room.refresh()  # a change committed while it was being built was not delivered
        return room

    async def serve(self, websocket: WebSocket, home_id: str) -> None:
        await websocket.accept()
        token = websocket.query_params.get("token") or bearer(websocket.headers.get("authorization")) or ""
        try:
            caller = await asyncio.to_thread(access.authenticate, self.hub.store, token)
        except Unauthorized as e:
            await websocket.close(UNAUTHORIZED, _reason(e.detail))
            return
        try:  # the same answer whether that home exists or not
            caller = await asyncio.to_thread(admission.admit, self.hub, caller, home_id)
        except Forbidden as e:
            await websocket.close(FORBIDDEN, e.detail)
            return
        try:
            room = await self.room(home_id)
        except NotFound:
            await websocket.close(GONE, "this home no longer exists on the hub")
            return
        device = room.home.xr_device(caller.device) if caller.device else None
        identity = Identity(caller.person, caller.device, device.kind if device else None)
        peer = Peer(websocket, token, caller, identity)
        loop = asyncio.get_running_loop()
        # A revoked token loses its live connection at once (access.TokenWatch).
        unwatch = access.token_watch(self.hub.store).watch(
            token, lambda why: loop.call_soon_threadsafe(peer.close, UNAUTHORIZED, _reason(why)))
        try:
            await room.serve(peer)
        finally:
            unwatch()


def _reason(text: str) -> str:
    """A WebSocket close reason is at most 123 bytes."""
    raw = text.encode()
    return text if len(raw) <= 123 else raw[:120].decode(errors="ignore") + "..."


def install_sync(app: FastAPI, hub: Hub) -> SyncService:
    service = SyncService(hub)
    app.state.sync = service
    app.add_api_websocket_route(PATH, service.serve, name="sync")
    app.state.lifespan_hooks.append(service.lifespan)
    return service
