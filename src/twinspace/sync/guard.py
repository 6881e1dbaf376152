"""What a client may write into a live document at all, checked before it is applied.

The hub validates edits of the roots it knows (sync/edits.py) and sets them back when it
refuses them, but a Yjs update can also carry a root the hub never reads (every client
would download it for ever) or megabytes in one message (sent on to every peer before the
hub can set it back). So every update from a client is checked first:

- at most `MAX_UPDATE_BYTES` in one message, and `BUDGET_BYTES` per `BUDGET_S` per
  connection (a slow drip of large writes is the same attack);
- only the document's own roots (shape.ROOTS and the log): the update is applied to an
  empty probe document first, where every root it writes shows up by name.

A connection that breaks a rule is closed with a code that says which (1009: too big,
1008: policy) and nothing it sent is applied.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Callable

from pycrdt import Doc

from twinspace.sync.shape import LOG, ROOTS

MAX_UPDATE_BYTES = 512 * 1024
BUDGET_BYTES = 4 * 1024 * 1024
BUDGET_S = 60.0
TOO_BIG, POLICY = 1009, 1008
ALLOWED_ROOTS = frozenset(ROOTS) | {LOG}


class Refusal(Exception):
    """The client's message breaks a rule; close its connection with `code` and `reason`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def roots_written(update: bytes) -> set[str]:
    """The root names a Yjs update writes to (new top-level items name their root)."""
    probe = Doc()
    probe.apply_update(update)
    return set(probe.keys())


class UpdateGuard:
    """One connection's allowance; `check` raises Refusal for an update it may not apply."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._spent: deque[tuple[float, int]] = deque()
        self._total = 0

    def check(self, update: bytes) -> None:
        size = len(update)
        if size > MAX_UPDATE_BYTES:
            raise Refusal(TOO_BIG, f"an update of {size // 1024} KiB is over the {MAX_UPDATE_BYTES // 1024} KiB "
                                   "one message may carry")
        now = self.clock()
        while self._spent and now - self._spent[0][0] > BUDGET_S:
            self._total -= self._spent.popleft()[1]
        if self._total + size > BUDGET_BYTES:
            raise Refusal(TOO_BIG, f"more than {BUDGET_BYTES // (1024 * 1024)} MiB of updates within "
                                   f"{BUDGET_S:.0f} s; reconnect later")
        unknown = roots_written(update) - ALLOWED_ROOTS
        if unknown:
            raise Refusal(POLICY, f"writes to {', '.join(sorted(unknown))[:40]}, not a root of this document "
                                  "(see docs/sync.md)")
        self._spent.append((now, size))
        self._total += size
