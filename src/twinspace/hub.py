"""The hub: the one authority over each home's state.

Every change, whatever front end it comes from (REST, CLI, assistant, a Yjs edit), goes
through `Hub.apply`: arguments are validated, the action runs on a copy of the home, and
only if it succeeds is the copy committed to the store and published to listeners (live
sync, bridges). A failed action leaves nothing behind.

Changes of one home that arrive while its previous commit is in flight are committed
together (commit_line.py): each is validated against the newest state as before, and each
caller hears back only once its group is durable. `apply` is `submit` (validate, run, queue)
then `settle` (wait until durable, answer); a front end with many changes in flight (live
sync) calls the two halves itself. A refusal read from a queued state is also answered only
once that state is durable.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterator, Optional, Union

from twinspace.actions import registry as default_registry
from twinspace.actions.content_gate import admit_restored
from twinspace.actions import bridged
from twinspace.actions.registry import ActionContext, Caller, Outcome, Pending, Registry
from twinspace.commit_line import CommitLine, Ticket
from pydantic import ValidationError

from twinspace.errors import Conflict, Forbidden, InvalidInput, NotFound, TwinspaceError
from twinspace.geometry import Viewer
from twinspace.home import reported
from twinspace.home.homefile import HomeBundle
from twinspace.home.model import Home
from twinspace.home.working_copy import SharedStateChanged, check_unchanged, live_copy, whole_copy
from twinspace.spaces import admission
from twinspace.store.base import Change
from twinspace.store.sqlite import Store, utcnow


@dataclass(frozen=True)
class HomeChange:
    """Published after a commit: the new home and what produced it."""

    home_id: str
    home: Home
    version: int
    outcomes: list[Outcome] = field(default_factory=list)
    origin: Optional[str] = None  # an opaque tag of the front end that caused it (e.g. a sync session)


Listener = Callable[[HomeChange], None]


@dataclass(frozen=True)
class Submitted:
    """An action validated and run (`Hub.submit`), its change queued if it made one."""

    home_id: str
    answer: Union[Outcome, Pending, TwinspaceError]  # a refusal is held until `settle`
    ticket: Optional[Ticket] = None  # the queued change, when the action changed the home
    read_from: Optional[Ticket] = None  # else: the queued change the answer was read from, if any


class Hub:
    def __init__(self, store: Store, *, registry: Registry = default_registry, services: Any = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.registry = registry
        self.services = services  # content catalogue and playback helpers, when attached
        self.clock = clock
        self._cache: dict[str, tuple[Home, int]] = {}
        self._locks: dict[str, threading.RLock] = {}
        self._lines: dict[str, CommitLine] = {}
        self._locks_guard = threading.Lock()
        self._listeners: list[Listener] = []
        self.bridges: Any = None  # bridges.manager.BridgeManager, attached when real devices are bridged
        self.cluster: Any = None  # cluster.replica.Replica, when this hub is one of several (docs/deploy.md)

    # --- reading ---------------------------------------------------------------------

    def _lock(self, home_id: str) -> threading.RLock:
        with self._locks_guard:
            return self._locks.setdefault(home_id, threading.RLock())

    def line(self, home_id: str) -> CommitLine:
        """The home's group-commit line (its counters say how many changes each group took)."""
        lock = self._lock(home_id)
        with self._locks_guard:
            return self._lines.setdefault(home_id, CommitLine(lock))

    def _base(self, home_id: str) -> tuple[Home, int]:
        """What a new change builds on: the newest queued state, else the store's."""
        return self.line(home_id).base() or self._current(home_id)

    @contextmanager
    def _working_copy(self, home_id: str, current: Home, action: str, *,
                      whole: bool = False, read_only: bool = False) -> Iterator[tuple[Home, str]]:
        """The copy `action` changes and `current` as JSON (the journal's record of the state
        before it). A live or no copy shares parts with `current`: afterwards `current` must
        be unchanged, else the action is refused and the home reloaded from the store."""
        doc = current.model_dump_json()
        if whole:
            yield whole_copy(doc), doc
            return
        try:
            yield (current if read_only else live_copy(current)), doc
        finally:
            try:
                check_unchanged(current, doc, action)
            except SharedStateChanged:  # what was cached is suspect: read the store's state again
                self._cache.pop(home_id, None)
                raise

    def _queue(self, home_id: str, working: Home, version: int, before: Home, before_doc: str, outcome: Outcome,
               origin: Optional[str], person: Optional[str], device: Optional[str], action: Optional[str] = None) -> Ticket:
        """Queue a validated change (home lock held); `_land` the ticket after releasing it."""
        change = Change(working, before, action or outcome.action, outcome.args, outcome.message, person, device,
                        before_doc)
        return self.line(home_id).add(change, version + 1, (outcome, origin))

    def _land(self, home_id: str, ticket: Ticket) -> int:
        """Wait until the ticket's group is durable and published; its version."""
        self.line(home_id).wait(ticket, lambda expected, changes: self.store.commit_changes(
            home_id, expected, changes), lambda group: self._durable(home_id, group))
        return ticket.version

    def _durable(self, home_id: str, group: list[Ticket]) -> None:
        with self._lock(home_id):
            self._cache[home_id] = (group[-1].change.home, group[-1].version)
        for t in group:
            outcome, origin = t.payload
            self._publish(HomeChange(home_id, t.change.home, t.version, [outcome], origin))

    def _current(self, home_id: str) -> tuple[Home, int]:
        """The cached home, reloaded if another process (e.g. the CLI) changed the store."""
        version = self.store.home_version(home_id)
        if version is None:
            self._cache.pop(home_id, None)
            raise NotFound(f"there is no home {home_id!r} on this hub")
        cached = self._cache.get(home_id)
        if cached is None or cached[1] != version:
            cached = self.store.load_home(home_id)
            self._cache[home_id] = cached
        return cached

    def home(self, home_id: str) -> Home:
        """The current home. Treat it as read-only: change it only through `apply`."""
        return self._current(home_id)[0]

    def version(self, home_id: str) -> int:
        return self._current(home_id)[1]

    def home_ids(self) -> list[str]:
        """Every twin the hub holds: its homes and the virtual spaces they host."""
        return self.store.home_ids()

    def household_ids(self) -> list[str]:
        """The real homes only (kind `home`): what "the only home" means when none is named."""
        return [h for h in self.store.home_ids() if self.home(h).kind == "home"]

    # --- changing --------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` after every commit, on the committing thread, in version order per home.
        It must not change the hub itself (hand the work to another thread or a loop): the
        next group of that home is written only after every listener has returned."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _publish(self, change: HomeChange) -> None:
        for listener in list(self._listeners):
            listener(change)

    def import_bundle(self, bundle: HomeBundle, *, replace: bool = False, allow_empty: bool = False) -> Home:
        """Store a whole home; content files are imported into the catalogue in the same step.

        A lineup, guide or on-demand file with nothing in it never empties what the home has
        unless `allow_empty`."""
        home = bundle.home
        if not replace and self.store.home_version(home.id) is not None:
            raise Conflict(f"a home with id {home.id!r} already exists; import with --replace to overwrite it")
        with self._lock(home.id):
            self.line(home.id).wait_idle()
            if self.services is not None:
                self.services.import_home_content(home, bundle.files, allow_empty=allow_empty)
            version = self.store.create_home(home, bundle.files, replace=replace)
            self._cache[home.id] = (home, version)
        self._publish(HomeChange(home.id, home, version))
        return home

    def context(self, home: Home, caller: Caller, *, viewer: Optional[Viewer] = None,
                room: Optional[str] = None, focus: Optional[str] = None, confirmed: bool = False,
                now: Optional[datetime] = None) -> ActionContext:
        if room is None and viewer is not None:
            found = home.room_at(viewer.position[0], viewer.position[2])
            room = found.id if found else None
        return ActionContext(home=home, caller=caller, now=now or self.clock(), viewer=viewer, room=room,
                             focus=focus, services=self.services, confirmed=confirmed, bridges=self.bridges)

    def apply(self, home_id: str, name: str, raw_args: Any, *, caller: Caller,
              viewer: Optional[Viewer] = None, room: Optional[str] = None, focus: Optional[str] = None,
              confirmed: bool = False, now: Optional[datetime] = None,
              origin: Optional[str] = None) -> Union[Outcome, Pending]:
        """Validate and run one action as `caller`; commit and publish it if it changed the home."""
        return self.settle(self.submit(home_id, name, raw_args, caller=caller, viewer=viewer, room=room,
                                       focus=focus, confirmed=confirmed, now=now, origin=origin))

    def submit(self, home_id: str, name: str, raw_args: Any, *, caller: Caller,
               viewer: Optional[Viewer] = None, room: Optional[str] = None, focus: Optional[str] = None,
               confirmed: bool = False, now: Optional[datetime] = None,
               origin: Optional[str] = None) -> Submitted:
        """The first half of `apply`: validate and run the action on the newest state and, if it
        changed the home, queue it for the next group commit, without waiting for that commit.
        Hand the result to `settle` (on any thread) for the answer; a front end with many
        changes in flight (live sync) submits them in order and settles them as they land.
        Arguments that do not parse raise at once; a refusal by the action is only given by
        `settle`, once the state it was read from is durable."""
        if caller.home_id != home_id:
            raise Forbidden("this device is not paired with that home")
        spec = self.registry.get(name)
        admission.guest_may(caller, name, spec.read_only)
        args = spec.parse(raw_args)
        with self._lock(home_id):
            read_from = self.line(home_id).pending()  # the queued change the head comes from, if any
            current, version = self._base(home_id)
            with self._working_copy(home_id, current, name, whole=spec.reshapes,
                                    read_only=spec.read_only) as (working, before_doc):
                ctx = self.context(working, caller, viewer=viewer, room=room, focus=focus,
                                   confirmed=confirmed, now=now)
                try:
                    if spec.confirm is not None and not confirmed:
                        reason = spec.confirm(ctx, args)
                        if reason is not None:
                            pending = Pending(name, args.model_dump(mode="json", exclude_none=True), reason)
                            return Submitted(home_id, pending, read_from=read_from)
                    outcome = spec.run(ctx, args)
                except TwinspaceError as e:
                    return Submitted(home_id, e, read_from=read_from)
            if not spec.read_only and outcome.changed:
                ticket = self._queue(home_id, working, version, current, before_doc, outcome, origin, caller.person,
                                     caller.device, action=name)
                return Submitted(home_id, outcome, ticket=ticket)
        return Submitted(home_id, outcome, read_from=read_from)

    def settle(self, submitted: Submitted) -> Union[Outcome, Pending]:
        """The answer to a submitted action, once it (or the state it was read from) is durable;
        raises the action's refusal, or why its commit failed."""
        if submitted.ticket is not None:
            self._land(submitted.home_id, submitted.ticket)
        elif submitted.read_from is not None:  # nothing to commit, but the answer rests on a queued state
            CommitLine.wait_durable(submitted.read_from)
        if isinstance(submitted.answer, TwinspaceError):
            raise submitted.answer
        return submitted.answer

    def administer(self, home_id: str, caller: Caller, *, action: str, args: dict[str, Any], message: str,
                   change: Callable[[Home], None]) -> int:
        """An owner's change to the home's set-up (e.g. binding devices to a bridge), made by
        `change` on a copy, validated as a whole home, committed and journaled under the owner."""
        if caller.home_id != home_id:
            raise Forbidden("this device is not paired with that home")
        if not caller.is_owner:
            raise Forbidden("only the home's owner can change how it is set up")
        with self._lock(home_id):
            current, version = self._base(home_id)
            with self._working_copy(home_id, current, action, whole=True) as (working, before_doc):
                change(working)
            try:
                working = Home.model_validate(working.model_dump())
            except ValidationError as e:
                raise InvalidInput(f"{action}: {e.errors(include_url=False)[0]['msg']}") from None
            ticket = self._queue(home_id, working, version, current, before_doc, Outcome(action, args, message), None,
                                 caller.person, caller.device)
        return self._land(home_id, ticket)

    def report(self, home_id: str, device_id: str, patch: dict[str, Any], *, source: str,
               superseded: Optional[Callable[[], bool]] = None) -> Optional[int]:
        """State a real device reported through its bridge (`source`), applied to the twin and
        journaled as coming from that device: no person, never as someone's action. A report
        that changes nothing is not journaled. `superseded`, asked under the home's lock, says
        whether a command the device confirmed since made this report old; then only what it
        adds (a TV's new apps) is kept. Returns the new version, if any."""
        with self._lock(home_id):
            if superseded is not None and superseded():
                patch = {k: v for k, v in patch.items() if k == "apps"}
            current, version = self._base(home_id)
            with self._working_copy(home_id, current, reported.ACTION, whole="apps" in patch) as (working, before_doc):
                changed = reported.apply(working, device_id, patch, self.clock())
            if not changed:
                return None
            message = reported.describe(working, device_id, changed)
            args = {"device": device_id, "source": source, **changed}
            ticket = self._queue(home_id, working, version, current, before_doc,
                                 Outcome(reported.ACTION, args, message),
                                 f"bridge:{source}", None, device_id)
        new_version = self._land(home_id, ticket)
        if "apps" in changed and self.services is not None:
            with self._lock(home_id):  # the catalogue serves apps to actions: give it the newest list
                self.services.set_apps(home_id, self.home(home_id).content.apps)
        return new_version

    def undo(self, home_id: str, caller: Caller, *, now: Optional[datetime] = None) -> Outcome:
        """Restore the home as it was before its latest change, if the caller may see what that
        brings back (undoing someone's pause must not play what the caller's limit refuses)."""
        if caller.home_id != home_id:
            raise Forbidden("this device is not paired with that home")
        admission.guest_may(caller, "undo", read_only=False)
        with self._lock(home_id):
            self.line(home_id).wait_idle()  # undo reads the store: let queued changes land first
            current, _ = self._current(home_id)

            def check(restored: Home) -> None:
                admit_restored(self.context(restored, caller, now=now), current)
                bridged.undo_leaves_devices(self.bridges, current, restored)
                admission.undo_keeps_seats(current, restored)

            home, entry = self.store.undo_last(home_id, caller.person, caller.device, check=check)
            version = self.store.home_version(home_id)
            assert version is not None
            self._cache[home_id] = (home, version)
        outcome = Outcome("undo", {"action": entry.action, "args": entry.args}, f"Undid: {entry.message}")
        self._publish(HomeChange(home_id, home, version, [outcome]))
        return outcome
