"""Group commit of one home's changes: several changes, one durable transaction.

A durable commit costs an fsync (milliseconds); validating and running an action costs far
less. So while one commit of a home is in flight, the changes that arrive meanwhile are
validated against the newest state (the `head`, not yet durable), queued in order, and
written together as the next group. Nobody hears back before their group is durable:

- the first change of an idle home leads: it writes its group (at first only itself);
- changes arriving while a group is being written queue behind it; when the group is
  durable, every change in it is acknowledged and the oldest queued change leads the next
  group, which takes everything queued by then;
- `durable` (update the cache, publish to listeners) runs for each group, in version
  order, before the next group is written, so listeners see versions in order;
- if a group fails, its changes fail with the store's error, and the changes queued behind
  it (built on states that never became durable) fail with Conflict; the head is dropped,
  so the next change starts again from what the store holds.

A change that turns out to change nothing, or a question, built on a head that is not yet
durable, is answered only once that head is (`pending`, `wait_durable`): no answer may rest
on a state a crash could still undo.

Every method but `wait` and `wait_durable` is called holding the home's lock.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Optional, Sequence

from twinspace.errors import Conflict
from twinspace.home.model import Home
from twinspace.store.base import Change

log = logging.getLogger(__name__)


class Ticket:
    """One queued change; `payload` is the caller's (e.g. the outcome and origin to publish)."""

    __slots__ = ("change", "version", "payload", "error", "done", "wake", "finished")

    def __init__(self, change: Change, version: int, payload: Any) -> None:
        self.change, self.version, self.payload = change, version, payload
        self.error: Optional[BaseException] = None
        self.done = False
        self.wake = threading.Event()  # set when done, or when this ticket is to lead a group
        self.finished = threading.Event()  # set when done (for others waiting on this ticket)


Write = Callable[[int, Sequence[Change]], int]  # (expected version, changes) -> last version, durably
Durable = Callable[[Sequence[Ticket]], None]


class CommitLine:
    def __init__(self, lock: threading.RLock) -> None:
        self.lock = lock
        self.head: Optional[tuple[Home, int]] = None  # the newest validated state while busy
        self.queue: list[Ticket] = []
        self.busy = False  # a group is being written, or queued changes wait for one
        self.groups = 0  # groups written so far (how many changes each took: changes / groups)
        self.changes = 0
        self.last: Optional[Ticket] = None  # the newest queued change, whose state `head` is
        self._idle = threading.Condition(lock)

    def base(self) -> Optional[tuple[Home, int]]:
        """The state a new change must build on if the line is busy; None: read the store."""
        return self.head if self.busy else None

    def add(self, change: Change, version: int, payload: Any = None) -> Ticket:
        """Queue a change that makes the home `version`; hand the ticket to `wait` after
        releasing the lock."""
        ticket = Ticket(change, version, payload)
        self.queue.append(ticket)
        self.head = (change.home, version)
        self.last = ticket
        if not self.busy:
            self.busy = True
            ticket.wake.set()  # nothing in flight: this one leads
        return ticket

    def pending(self) -> Optional[Ticket]:
        """The change the head comes from while busy: an answer read from the head (an
        action that changed nothing, a question) must not be given before it is durable."""
        return self.last if self.busy else None

    @staticmethod
    def wait_durable(ticket: Ticket) -> None:
        """Until `ticket`'s group is durable; Conflict if it could not be committed."""
        ticket.finished.wait()
        if ticket.error is not None:
            raise Conflict("this answer was read from a change that could not be committed; try again")

    def wait_idle(self) -> None:
        """Until nothing is queued or in flight (for writes that bypass the line, e.g. undo)."""
        self._idle.wait_for(lambda: not self.busy)

    def wait(self, ticket: Ticket, write: Write, durable: Durable) -> None:
        """Return once the ticket's group is durable (leading groups when its turn comes), or
        raise why it could not be committed."""
        while True:
            ticket.wake.wait()
            with self.lock:
                if ticket.done:
                    break
                ticket.wake.clear()
                group, self.queue = self.queue, []
            self._write(group, write, durable)
        if ticket.error is not None:
            raise ticket.error

    def _write(self, group: list[Ticket], write: Write, durable: Durable) -> None:
        try:
            write(group[0].version - 1, [t.change for t in group])
        except Exception as e:  # noqa: BLE001 - handed to every waiter of the group
            with self.lock:
                doomed, self.queue = self.queue, []
                for t in group:
                    t.error = e
                for t in doomed:
                    t.error = Conflict("a change this one came after could not be committed; try again")
                self._finish(group + doomed)
                self._settle()
            return
        try:
            durable(group)
        except Exception:  # a listener's failure must not stall the home: the changes are durable
            log.exception("publishing committed changes failed")
        with self.lock:
            self.groups += 1
            self.changes += len(group)
            self._finish(group)
            if self.queue:
                self.queue[0].wake.set()  # the oldest waiting change leads the next group
            else:
                self._settle()

    @staticmethod
    def _finish(tickets: list[Ticket]) -> None:
        for t in tickets:
            t.done = True
            t.wake.set()
            t.finished.set()

    def _settle(self) -> None:
        self.busy = False
        self.head = None
        self.last = None
        self._idle.notify_all()
