"""A room's client edits, from arrival to durable: many in flight, sharing group commits.

An edit is validated and committed as actions like any change (sync/edits.py turns it into
calls, `Hub.submit` validates and queues each in the home's commit line). Validating the
next edit does not wait for the previous one's commit, so the edits that arrive while one
group is being written (from every client of the home, and REST) share the next group.

- On the event loop: edits queue per (peer, entity), coalescing while they wait (the
  latest state wins, every field touched so far counts), and are planned into calls in
  arrival order. An entity is compared with what the hub was last asked to make of it
  while earlier edits of it are in flight, else with the hub's durable state.
- On a worker thread, one hop per batch: each call is submitted (validated and run against
  the newest state, queued if it changed the home); nothing waits for a commit there.
- On the landing thread: each edit is settled in order (`Hub.settle`: it leads a group
  commit when its turn comes) and reported to the room only once it is durable, or, if
  refused, once the state it was refused on is. Every queued change has a waiter, so the
  commit line never stalls on an edit whose client went away.

Per client, edits are submitted, committed and reported in the order they arrived.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from twinspace.actions.registry import Pending
from twinspace.errors import TwinspaceError
from twinspace.geometry import Viewer
from twinspace.hub import Hub, Submitted
from twinspace.sync.edits import Call, Refused, calls_for
from twinspace.sync.shape import Json

log = logging.getLogger(__name__)
INTERNAL = "the hub could not apply this edit (internal error)"


@dataclass
class Edit:
    """A peer's pending edit of one entity: the fields it touched and the entity as it left it."""

    touched: Optional[set[str]]  # None: the whole entity (added, deleted or replaced)
    after: Optional[Json]
    updates: list[int]  # the client updates it came from (the room relays them once it is settled)


@dataclass(eq=False)
class Planned:
    """One edit on its way: its calls, what the hub made of them, and how it ended."""

    peer: Any  # sync.peer.Peer
    root: str
    key: str
    viewer: Optional[Viewer]
    after: Optional[Json]  # the entity as the client left it
    updates: list[int]
    calls: list[Call] = field(default_factory=list)
    submitted: list[tuple[Call, Submitted]] = field(default_factory=list)
    refusal: Optional[tuple[str, str]] = None  # (path, reason)
    opened: list[tuple[str, str]] = field(default_factory=list)  # (path, panel id) of panels it opened

    def refuse(self, path: str, reason: str) -> None:
        self.refusal = (path, reason)


Before = Callable[[str, str], Optional[Json]]  # (root, key) -> the hub's durable entity
Landed = Callable[[Planned, bool], None]  # (the edit, whether its entity has nothing else on the way)


class EditQueue:
    def __init__(self, hub: Hub, home_id: str, before: Before, landed: Landed,
                 viewer: Callable[[Any], Optional[Viewer]]) -> None:
        self.hub, self.home_id = hub, home_id
        self._before, self._landed, self._viewer = before, landed, viewer
        self._waiting: OrderedDict[tuple[Any, str, str], Edit] = OrderedDict()
        self._ready = asyncio.Event()
        self._asked: dict[tuple[str, str], Optional[Json]] = {}  # entity -> the newest state asked for
        self._on_the_way: Counter[tuple[str, str]] = Counter()  # entity -> edits planned, not yet reported
        self._landing: queue.SimpleQueue[Optional[Planned]] = queue.SimpleQueue()
        self._lander = threading.Thread(target=self._land, name=f"sync {home_id} landing", daemon=True)
        self._closing = False
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    # --- on the loop ------------------------------------------------------------------

    def add(self, peer: Any, root: str, key: str, fields: Optional[set[str]], after: Optional[Json],
            update: int) -> None:
        waiting = self._waiting.get((peer, root, key))
        if waiting is not None:  # coalesce: the latest state, everything touched so far
            waiting.touched = None if waiting.touched is None or fields is None else waiting.touched | fields
            waiting.after = after
            waiting.updates.append(update)
        else:
            self._waiting[(peer, root, key)] = Edit(fields, after, [update])
        self._ready.set()

    def quiet(self, root: str, key: str) -> bool:
        """Nothing of this entity is waiting or on the way."""
        return not self._on_the_way[(root, key)] and not any(r == root and k == key for _, r, k in self._waiting)

    async def run(self) -> None:
        """Plan and submit edits as they come, until `close`."""
        if self._closing:
            return  # closed before it ever ran: no landing thread to start
        self._loop = asyncio.get_running_loop()
        self._lander.start()
        while not self._closing:
            await self._ready.wait()
            self._ready.clear()
            while self._waiting and not self._closing:
                batch = []
                while self._waiting:
                    (peer, root, key), edit = self._waiting.popitem(last=False)
                    batch.append(self._plan(peer, root, key, edit))
                await asyncio.to_thread(self._submit, batch)

    async def close(self, task: "asyncio.Task[None]") -> None:
        """Stop taking edits; those already submitted still land (their commits go on)."""
        self._closing = True
        self._ready.set()
        await asyncio.gather(task, return_exceptions=True)
        if self._lander.is_alive():
            self._landing.put(None)
            await asyncio.to_thread(self._lander.join, 30)

    def _plan(self, peer: Any, root: str, key: str, edit: Edit) -> Planned:
        entity = (root, key)
        planned = Planned(peer, root, key, self._viewer(peer), edit.after, edit.updates)
        before = self._asked[entity] if entity in self._asked else self._before(root, key)
        try:
            planned.calls = calls_for(root, key, before, edit.after,
                                      None if edit.touched is None else frozenset(edit.touched),
                                      self.hub.registry.__contains__)
        except Refused as e:
            planned.refuse(e.path, e.detail)
        if planned.calls:
            self._asked[entity] = edit.after
        self._on_the_way[entity] += 1
        return planned

    def _report(self, planned: Planned) -> None:
        entity = (planned.root, planned.key)
        self._on_the_way[entity] -= 1
        if not self._on_the_way[entity]:
            del self._on_the_way[entity]
            self._asked.pop(entity, None)  # the hub's durable state has everything asked of it
        try:
            self._landed(planned, self.quiet(planned.root, planned.key))
        except Exception:  # noqa: BLE001 - one report must not stop the others
            log.exception("reporting %s/%s from %r failed", planned.root, planned.key, planned.peer)

    # --- on the threads ---------------------------------------------------------------

    def _submit(self, batch: list[Planned]) -> None:
        """Validate and queue each edit's calls in order, and hand it to the landing thread."""
        for planned in batch:
            for call in planned.calls if planned.refusal is None else []:
                try:
                    submitted = self.hub.submit(self.home_id, call.action, call.args, caller=planned.peer.caller,
                                                viewer=planned.viewer, origin=planned.peer.tag)
                except TwinspaceError as e:  # arguments that do not parse, a caller that may not
                    planned.refuse(call.path, e.detail)
                    break
                except Exception:  # noqa: BLE001 - reported to the client, logged here
                    log.exception("submitting %s from %r failed", call.path, planned.peer)
                    planned.refuse(call.path, INTERNAL)
                    break
                planned.submitted.append((call, submitted))
                if submitted.ticket is None and isinstance(submitted.answer, (Pending, TwinspaceError)):
                    break  # refused (the landing thread says why): its later calls are not tried
            self._landing.put(planned)

    def _land(self) -> None:
        """Settle each submitted edit in order, then report it on the loop."""
        while (planned := self._landing.get()) is not None:
            for call, submitted in planned.submitted:
                try:
                    outcome = self.hub.settle(submitted)
                except TwinspaceError as e:
                    planned.refuse(call.path, e.detail)
                    break
                except Exception:  # noqa: BLE001 - reported to the client, logged here
                    log.exception("committing %s from %r failed", call.path, planned.peer)
                    planned.refuse(call.path, INTERNAL)
                    break
                if isinstance(outcome, Pending):
                    planned.refuse(call.path, f"{outcome.reason} (needs confirmation: do it from the app)")
                    break
                if call.action == "panel.open" and outcome.result:
                    planned.opened.append((call.path, outcome.result["panel"]["id"]))
            assert self._loop is not None
            try:
                self._loop.call_soon_threadsafe(self._report, planned)
            except RuntimeError:  # the loop closed: nobody is left to tell
                pass
