"""The live Yjs document of one home: hub changes in, client edits out, and every peer.

Three flows meet here, all on the event loop thread:

- Hub → document. Each committed HomeChange is written as a minimal diff against the
  last state written from the hub (`shadow`), so a client edit still being validated is
  never overwritten by an unrelated change.
- Client → hub. Edits observed in the document (deep observe, attributed through the
  transaction origin) go to the room's EditQueue (sync/edit_queue.py), which turns each
  into actions (sync/edits.py) run through the hub as the peer's caller, many in flight
  at once so that they share group commits. Once an edit is durable or refused, a refusal
  is logged in the document and the entity is set back to the hub's truth (a no-op when
  the edit was accepted as written).
- Handshake. What a client sends in its sync step 2 is state it had before connecting
  (offline edits, or a document from before a hub restart): it is reconciled to the
  hub's truth, never applied, so stale replicas never overwrite acknowledged changes.

Updates are fanned out to every peer, the sender included, as y-websocket does; those made
in the same turn of the event loop are merged into one message first. A client's update
that asks for edits is held back until they are settled (`Held`): the others see an edit
once it is durable, or, refused, not at all (it goes out with the hub's rewrite).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from typing import Any, Optional

from pycrdt import (
    Array, Decoder, Doc, Map, TransactionEvent, YMessageType, YSyncMessageType, create_sync_message,
    create_update_message, get_state, handle_sync_message, merge_updates, read_message,
)

from twinspace.errors import NotFound
from twinspace.home.model import Home
from twinspace.hub import HomeChange, Hub
from twinspace.sync.edit_queue import EditQueue, Planned
from twinspace.sync.guard import MAX_UPDATE_BYTES, TOO_BIG, Refusal
from twinspace.sync.peer import Peer
from twinspace.sync.presence import Presence
from twinspace.sync.shape import LOG, LOG_KEEP, ROOTS, Json, Kind, Snapshot, changed_keys, project, same

log = logging.getLogger(__name__)
QUERY_AWARENESS = 3
HUB_ORIGIN = "hub"
POLL_S = 1.0  # how often to look for changes made by another process (the CLI) on the store


@dataclass
class Held:
    """A client's update, relayed to the other peers only once the edits it asked for are
    settled: durable, or refused and set back (so the others never see a refused edit)."""

    update: Optional[bytes] = None  # what it changed in the document
    edits: int = 0  # its edits still on their way


@dataclass(frozen=True, eq=False)
class ClientOrigin:
    """The transaction origin of what a peer sent; `handshake` for its sync step 2."""

    peer: Peer
    handshake: bool


def _py(value: Any) -> Json:
    return value.to_py() if isinstance(value, (Map, Array)) else value


def _author(update: bytes) -> Optional[int]:
    """The Yjs client id that wrote an update (the first in its state vector; none for pure deletes)."""
    decoder = Decoder(get_state(update))
    return decoder.read_var_uint() and decoder.read_var_uint()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class HomeRoom:
    def __init__(self, hub: Hub, home: Home, version: int, *, poll: bool = True) -> None:
        self.hub = hub
        self.poll = poll  # look at the store every POLL_S; a cluster's change streams do it instead
        self.home_id = home.id
        self.home = home
        self.version = 0
        self.gone = False  # the home left the store; the room serves no one any more
        self.shadow: Snapshot = {root: {} for root in ROOTS}
        self.peers: set[Peer] = set()
        self.doc = Doc()
        self.roots: dict[str, Map] = {root: self.doc.get(root, type=Map) for root in ROOTS}
        self.log_array = self.doc.get(LOG, type=Array)
        self.log: list[dict[str, Json]] = []
        self.presence = Presence(self.doc, self._room_at, self.broadcast, seat_of=self._seat_of)
        self.edits = EditQueue(hub, self.home_id, lambda root, key: self.shadow[root].get(key), self._landed,
                               self.presence.viewer)
        self._tasks: list[asyncio.Task[None]] = []
        self._edits_task: Optional[asyncio.Task[None]] = None
        self._outgoing: list[bytes] = []  # document updates not yet sent to the peers
        self._held: dict[int, Held] = {}  # client updates waiting for their edits, by arrival number
        self._update_ids = itertools.count(1)
        self._receiving: Optional[int] = None  # the client update being applied, while it is
        self.doc.observe(self._on_update)
        for root, ymap in self.roots.items():
            ymap.observe_deep(partial(self._on_client_change, root))
        self.log_array.observe(self._on_log_change)
        self.apply_home(home, version)

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        jobs = [("presence", self.presence.awareness.start())]
        if self.poll:
            jobs.append(("poll", self._poll_store()))
        self._edits_task = asyncio.create_task(self.edits.run(), name=f"sync {self.home_id} edits")
        self._tasks = [asyncio.create_task(c, name=f"sync {self.home_id} {n}") for n, c in jobs]

    async def close(self, code: int = 1001, reason: str = "the hub is shutting down") -> None:
        for peer in list(self.peers):
            peer.close(code, reason)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._edits_task is not None:  # edits already validated still land: their commits are under way
            await self.edits.close(self._edits_task)

    # --- hub → document ---------------------------------------------------------------

    def deliver(self, change: HomeChange) -> None:
        if change.version > self.version:  # listeners may run out of order across threads
            self.apply_home(change.home, change.version)

    def apply_home(self, home: Home, version: int) -> None:
        new = project(home, version)
        with self.doc.transaction(origin=HUB_ORIGIN):
            for root in ROOTS:
                for key in changed_keys(self.shadow[root], new[root]):
                    self._write(root, key, new[root], self.shadow[root].get(key))
        self.shadow, self.home, self.version = new, home, version

    def _write(self, root: str, key: str, source: dict[str, Json], was: Optional[Json] = None) -> None:
        """Make the document hold `source[key]` (or nothing) at root/key, touching only what differs.

        `was`, the entity as the hub last wrote it, limits an entity to the fields the hub
        changed since: they alone are read back from the document (each read is a trip into
        Yjs), and a client's edit of another field, still on its way, is left alone."""
        ymap = self.roots[root]
        if key not in source:
            if key in ymap:
                del ymap[key]
            return
        value = source[key]
        current = ymap.get(key)
        if ROOTS[root] is not Kind.ENTITIES:
            if key not in ymap or not same(_py(current), value):
                ymap[key] = value
        elif not isinstance(current, Map):  # new, or a client replaced the Y.Map with something else
            ymap[key] = Map(value)
        else:
            fields = list(value) if was is None else [f for f, v in value.items() if f not in was or (
                was[f] != v and not same(was[f], v))]
            for field in fields:
                if field not in current or not same(_py(current[field]), value[field]):
                    current[field] = value[field]
            if was is None:
                for field in [f for f in current.keys() if f not in value]:
                    del current[field]

    def reconcile(self, root: str, key: str) -> None:
        """Set root/key back to the hub's truth for every client."""
        with self.doc.transaction(origin=HUB_ORIGIN):
            self._write(root, key, self.shadow[root])

    async def _poll_store(self) -> None:
        while not self.gone:
            await asyncio.sleep(POLL_S)
            await self.catch_up()

    async def catch_up(self) -> None:
        """Refresh from the store; if the home left it, close the live document."""
        try:
            await self.refresh()
        except NotFound:
            log.warning("home %s is gone from the store; closing its live document", self.home_id)
            self.gone = True
            for peer in list(self.peers):
                peer.close(4404, "this home no longer exists on the hub")

    async def refresh(self) -> None:
        """Catch up with the store if it moved without a HomeChange (another process wrote it)."""
        if await asyncio.to_thread(self.hub.version, self.home_id) > self.version:
            home, version = await asyncio.to_thread(consistent_home, self.hub, self.home_id)
            if version > self.version:
                self.apply_home(home, version)

    def _room_at(self, x: float, z: float) -> Optional[str]:
        found = self.home.room_at(x, z)
        return found.id if found else None

    def _seat_of(self, person: Optional[str]) -> Optional[str]:
        found = self.home.seat_of(person)
        return found.id if found else None

    # --- peers --------------------------------------------------------------------------

    async def serve(self, peer: Peer) -> None:
        writer = asyncio.create_task(peer.write(), name=f"sync {self.home_id} {peer!r}")
        self.peers.add(peer)
        try:
            peer.send(create_sync_message(self.doc))
            if (states := self.presence.everyone()) is not None:
                peer.send(states)
            async for message in peer.messages():
                try:
                    self.receive(peer, message)
                except Refusal as e:
                    log.warning("closing %r: %s", peer, e.reason)
                    peer.close(e.code, e.reason[:120])
                except Exception:  # a malformed message: drop the peer, not the room
                    log.warning("closing %r after a message it sent could not be read", peer, exc_info=True)
                    peer.close(1007, "malformed y-websocket message")
        finally:
            self.peers.discard(peer)
            self.presence.drop(peer)
            peer.close(1000, "")
            try:
                await asyncio.wait_for(writer, 2.0)
            except asyncio.TimeoutError:
                writer.cancel()

    def receive(self, peer: Peer, message: bytes) -> None:
        if message[0] == YMessageType.SYNC:
            kind = message[1]
            if kind == YSyncMessageType.SYNC_STEP1:
                if (reply := handle_sync_message(message[1:], self.doc)) is not None:
                    peer.send(reply)
            elif kind in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE):
                if len(message) > MAX_UPDATE_BYTES + 16:  # before decoding it at all
                    raise Refusal(TOO_BIG, f"a message of {len(message) // 1024} KiB is too big for this hub")
                update = read_message(message[2:])
                if update != b"\x00\x00":
                    peer.guard.check(update)  # no unknown roots, no floods: nothing applied otherwise
                    peer.client = _author(update) or peer.client
                    handshake = kind == YSyncMessageType.SYNC_STEP2
                    uid = None if handshake else next(self._update_ids)
                    if uid is not None:
                        self._held[uid] = Held()
                    self._receiving = uid
                    try:
                        with self.doc.transaction(origin=ClientOrigin(peer, handshake)):
                            self.doc.apply_update(update)
                    finally:
                        self._receiving = None
                    if uid is not None:
                        self._release([uid], edits=0)  # relayed at once if it asked for no edit
        elif message[0] == YMessageType.AWARENESS:
            relay = self.presence.receive(peer, peer.identity, read_message(message[1:]))
            if relay is not None:
                self.broadcast(relay)
        elif message[0] == QUERY_AWARENESS:
            if (states := self.presence.everyone()) is not None:
                peer.send(states)

    def broadcast(self, message: bytes) -> None:
        for peer in self.peers:
            peer.send(message)

    def _on_update(self, event: TransactionEvent) -> None:
        """Updates made in one turn of the event loop (a burst of commits) go out as one.
        A client's edit is held until it is settled (sync/edit_queue.py)."""
        if event.update == b"\x00\x00":
            return
        if self._receiving is not None:
            self._held[self._receiving].update = event.update
        else:
            self._send_soon(event.update)

    def _send_soon(self, update: bytes) -> None:
        self._outgoing.append(update)
        if len(self._outgoing) == 1:
            asyncio.get_running_loop().call_soon(self._flush)

    def _release(self, uids: list[int], edits: int = 1) -> None:
        """`edits` more edits of each of these client updates are settled: relay those that
        have none left on the way (merged with what the hub writes in this turn)."""
        for uid in uids:
            held = self._held[uid]
            held.edits -= edits
            if held.edits <= 0:
                del self._held[uid]
                if held.update is not None:
                    self._send_soon(held.update)

    def _flush(self) -> None:
        updates, self._outgoing = self._outgoing, []
        self.broadcast(create_update_message(updates[0] if len(updates) == 1 else merge_updates(*updates)))

    # --- client → hub -----------------------------------------------------------------

    def _on_client_change(self, root: str, events: list[Any]) -> None:
        origin = events[0].transaction.origin
        if not isinstance(origin, ClientOrigin):
            return  # the hub's own writes
        touched: dict[str, Optional[set[str]]] = {}
        for event in events:
            path = list(event.path)
            if not path:  # keys of the root itself: whole entities added, replaced or deleted
                touched.update({key: None for key in event.keys})
            elif touched.get(path[0], set()) is not None:
                fields = {path[1]} if len(path) > 1 else set(event.keys)
                touched.setdefault(path[0], set()).update(fields)  # type: ignore[union-attr]
        ymap = self.roots[root]
        loop = asyncio.get_running_loop()
        for key, fields in touched.items():
            if origin.handshake:
                loop.call_soon(self.reconcile, root, key)
            else:
                assert self._receiving is not None
                self._held[self._receiving].edits += 1
                self.edits.add(origin.peer, root, key, fields, _py(ymap.get(key)), self._receiving)

    def _landed(self, planned: Planned, quiet: bool) -> None:
        """An edit is durable (or refused): say so in the log, and once nothing else of its
        entity is on the way, set it back to the hub's truth. Unless the hub took it exactly
        as written: then the document holds the truth already (the edit was the entity's
        last change from a client, and the hub writes only its own state)."""
        for path, panel_id in planned.opened:
            self._log(planned.peer, "opened", path, panel=panel_id)
        if planned.refusal is not None:
            self._log(planned.peer, "rejected", planned.refusal[0], reason=planned.refusal[1])
        if quiet and (planned.refusal is not None
                      or not same(planned.after, self.shadow[planned.root].get(planned.key))):
            self.reconcile(planned.root, planned.key)
        self._release(planned.updates)

    # --- the log ----------------------------------------------------------------------

    def _log(self, peer: Peer, type_: str, path: str, **fields: Json) -> None:
        entry = {"type": type_, "client": peer.client or self.presence.client_of(peer),
                 "person": peer.caller.person, "device": peer.caller.device, "path": path, **fields, "at": _now()}
        self.log = (self.log + [entry])[-LOG_KEEP:]
        with self.doc.transaction(origin=HUB_ORIGIN):
            self.log_array.append(entry)
            if len(self.log_array) > LOG_KEEP:
                del self.log_array[0:len(self.log_array) - LOG_KEEP]

    def _on_log_change(self, event: Any) -> None:
        if isinstance(event.transaction.origin, ClientOrigin):  # the log is the hub's to write
            asyncio.get_running_loop().call_soon(self._restore_log)

    def _restore_log(self) -> None:
        if not same(self.log_array.to_py(), self.log):
            with self.doc.transaction(origin=HUB_ORIGIN):
                self.log_array.clear()
                self.log_array.extend(self.log)


def consistent_home(hub: Hub, home_id: str) -> tuple[Home, int]:
    """The home and its version read together (another thread may commit in between)."""
    while True:
        before = hub.version(home_id)
        home = hub.home(home_id)
        if hub.version(home_id) == before:
            return home, before
