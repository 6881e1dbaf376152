"""Keeping a bridge connected: reconnect with exponential backoff and jitter.

Written here rather than taken from `backoff`/`tenacity` because the loop is also the
bridge's availability state machine (up → reconcile, down → mark unavailable), which those
retry decorators do not model.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Awaitable, Callable, Optional

from twinspace.bridges.base import Report

log = logging.getLogger(__name__)


@dataclass
class Backoff:
    initial_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 60.0
    jitter: float = 0.2  # ± fraction, so bridges that dropped together do not retry in step
    _next: Optional[float] = None

    def reset(self) -> None:
        self._next = None

    def next(self) -> float:
        delay = self.initial_s if self._next is None else min(self._next * self.factor, self.cap_s)
        self._next = delay
        return delay * (1 + random.uniform(-self.jitter, self.jitter))


async def keep_connected(name: str, session: Callable[[], Awaitable[None]], *,
                         on_down: Callable[[Optional[BaseException]], None], backoff: Backoff) -> None:
    """Run `session` (connect, reconcile, then wait while connected) forever; after it ends
    or fails, call `on_down` and wait the backoff before the next try. Cancel to stop."""
    while True:
        error: Optional[BaseException] = None
        try:
            await session()
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - any failure means "down, try again"
            error = e
        on_down(error)
        delay = backoff.next()
        log.info("%s: connection down (%s); retrying in %.1f s", name, error or "closed", delay)
        await asyncio.sleep(delay)


class Supervised:
    """A coordinator's connection lifetime: `start` runs its `_session` under keep_connected,
    calling its `_down` between tries, until `stop`. Subclasses set `label` and `backoff`."""

    label = "bridge"
    backoff: Backoff
    _task: Optional[asyncio.Task] = None
    _report: Report = staticmethod(lambda *_: None)

    async def start(self, report: Report) -> None:
        self._report = report
        self._task = asyncio.create_task(keep_connected(self.label, self._session, on_down=self._down,
                                                        backoff=self.backoff))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _session(self) -> None:
        raise NotImplementedError

    def _down(self, error: Optional[BaseException]) -> None:
        raise NotImplementedError


def local_address(towards: str = "192.0.2.1") -> str:
    """This machine's address on the route to `towards` (a UDP "connect" sends nothing): where
    a device on the home network reaches us back, e.g. to deliver its events."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect((towards, 9))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"
