"""Keep Python's full garbage collections from pausing a busy hub.

A hub holding 5,000 sockets and 1,000 live documents tracks ~1.5 M objects (~300 per socket:
coroutine stacks, tasks, buffers), and one full (generation 2) collection of them stopped
the event loop for 0.4-0.7 s (docs/scale.md). CPython runs one whenever a quarter as many
objects again have survived two young collections since the last, which under steady writes
is every few seconds, although nearly everything that old lives as long as its socket or
home. So once a second the survivors of a young collection are moved out of the collector's
sight (`gc.freeze`), and a full pass over everything runs only when the frozen objects have
doubled since the last one. Garbage without cycles is freed by reference counting as always,
frozen or not; cycles that die among frozen objects wait for that full pass, so memory they
hold is bounded by the doubling rule, not lost.

CPython has no incremental collector to configure instead (3.13's was reverted), and
`gc.set_threshold` cannot change the quarter rule. Set TWINSPACE_GC_FREEZE=0 to leave the
collector as it is (bench/scale.py measures both).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from typing import Optional

log = logging.getLogger(__name__)

FREEZE_EVERY_S = 1.0
COUNT_EVERY = 10  # freezes between counts of the frozen objects (a count walks them: ~14 ms per 1.4 M)
FLOOR = 200_000  # below this many frozen objects a full collection is cheap enough to wait for


class GcFreezer:
    """Freezes survivors every `every` s; a full collection when the frozen set doubled."""

    def __init__(self, every: float = FREEZE_EVERY_S, count_every: int = COUNT_EVERY, floor: int = FLOOR) -> None:
        self.every, self.count_every, self.floor = every, count_every, floor
        self.frozen_after_full = 0  # objects still alive after the last full collection
        self.full_collections = 0
        self.last_full_ms: Optional[float] = None
        self._ticks = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def tick(self) -> None:
        """One step: collect the young generations, freeze what survived, and every
        `count_every` steps collect everything if the frozen objects doubled."""
        gc.collect(1)
        gc.freeze()
        self._ticks += 1
        if self._ticks % self.count_every == 0 and gc.get_freeze_count() > max(self.floor, 2 * self.frozen_after_full):
            self.full()

    def full(self) -> None:
        """Collect every object once (the pause the freezing avoids the rest of the time)."""
        start = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.frozen_after_full = gc.get_freeze_count()
        self.full_collections += 1
        self.last_full_ms = (time.perf_counter() - start) * 1000
        log.info("full garbage collection: %d objects kept, %.0f ms", self.frozen_after_full, self.last_full_ms)

    def start(self) -> "GcFreezer":
        """Run in a daemon thread (the collector is process-wide; the GIL orders it with the
        event loop), for the life of the process or until stop()."""
        gc.freeze()  # what start-up imported and built lives as long as the process
        self.frozen_after_full = gc.get_freeze_count()
        self._thread = threading.Thread(target=self._run, name="gc-freezer", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.tick()

    def stop(self) -> None:
        """Stop freezing and give every frozen object back to the collector."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        gc.unfreeze()
