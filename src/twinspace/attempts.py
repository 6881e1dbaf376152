"""Failed attempts limited per source (a client address): one guesser is slowed down, nobody else.

Pairing uses it for wrong codes; anything that takes a guessable secret from the network
(pairing on the home network, PINs) can use the same piece:

    limiter = AttemptLimiter(20, per_s=60, what="wrong pairing codes")
    limiter.check(source)        # raises TooManyAttempts (429) while the source is over its limit
    ...
    limiter.failed(source)       # count a failure against this source only

Counting is a moving window from the `limits` library, in memory: a restart forgets it,
which costs a guesser nothing they did not already have.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from typing import Any, Optional

from limits import RateLimitItemPerSecond, storage, strategies

from twinspace.errors import TwinspaceError

LOCAL = "local"  # the source of an attempt that did not come over the network (CLI, tests)


class TooManyAttempts(TwinspaceError):
    status = 429
    title = "Too many attempts"
    slug = "too-many-attempts"


class AttemptLimiter:
    def __init__(self, attempts: int, *, per_s: int, what: str) -> None:
        self.item = RateLimitItemPerSecond(attempts, per_s)
        self.what = what
        self._window = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def check(self, source: Optional[str]) -> None:
        """Refuse (429, with when to try again) if `source` used up its failures."""
        key = source or LOCAL
        if not self._window.test(self.item, key):
            reset = self._window.get_window_stats(self.item, key).reset_time
            wait = max(1, math.ceil(reset - time.time()))
            raise TooManyAttempts(f"too many {self.what} from this device; wait {wait} s and try again",
                                  retry_after_s=wait)

    def failed(self, source: Optional[str]) -> None:
        self._window.hit(self.item, source or LOCAL)

    def clear(self, source: Optional[str]) -> None:
        self._window.clear(self.item, source or LOCAL)


_by_owner: "weakref.WeakKeyDictionary[Any, dict[str, AttemptLimiter]]" = weakref.WeakKeyDictionary()
_guard = threading.Lock()


def limiter_for(owner: Any, what: str, attempts: int, *, per_s: int) -> AttemptLimiter:
    """The one limiter of `what` for `owner` (a store: one hub's failures, forgotten with it)."""
    with _guard:
        kinds = _by_owner.setdefault(owner, {})
        found = kinds.get(what)
        if found is None:
            found = kinds[what] = AttemptLimiter(attempts, per_s=per_s, what=what)
        return found
