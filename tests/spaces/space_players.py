"""A player of a space's screen that speaks the cowatch protocol (docs/cowatch.md) over a
real WebSocket: clock exchanges, timelines, reports every 250 ms, and it obeys the hub's
corrections (rate nudges, seeks). Its "picture" is a position advanced by the local clock
at the rate it was told, so it can start off the timeline and be brought into step.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any, Optional

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from twinspace.cowatch.clock import ClockSample, OffsetEstimator
from twinspace.cowatch.timeline import Timeline

TICK_S = 0.02
REPORT_S = 0.25


class SpacePlayer:
    def __init__(self, url: str, *, start_error_s: float = 0.0) -> None:
        self.url = url
        self.start_error_s = start_error_s
        self.clock = OffsetEstimator()
        self.timelines: list[tuple[float, Timeline]] = []  # (hub time it holds from, timeline)
        self.position: Optional[float] = None
        self.rate = 1.0
        self.members: list[dict[str, Any]] = []
        self.corrections: list[dict[str, Any]] = []
        self.closed = asyncio.Event()
        self.close_code: Optional[int] = None
        self._pongs: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._followed: Optional[tuple[float, Timeline]] = None
        self._tasks: list[asyncio.Task[Any]] = []

    def hub_now(self) -> float:
        return self.clock.hub_time(time.time()) if self.clock.offset is not None else time.time()

    def timeline_now(self) -> Optional[Timeline]:
        now = self.hub_now()
        held = [t for at, t in self.timelines if at <= now]
        return held[-1] if held else None

    async def __aenter__(self) -> "SpacePlayer":
        self.ws = await connect(self.url, open_timeout=20)
        self._tasks = [asyncio.create_task(self._read())]
        for _ in range(6):
            t0 = time.time()
            await self.ws.send(json.dumps({"type": "ping", "t0": t0}))
            pong = await asyncio.wait_for(self._pongs.get(), 10)
            sample = ClockSample(pong["t0"], pong["t1"], pong["t2"], time.time())
            self.clock.add(sample)
            await self.ws.send(json.dumps({"type": "clock", "t0": sample.t0, "t1": sample.t1, "t2": sample.t2,
                                           "t3": sample.t3}))
        self._tasks.append(asyncio.create_task(self._play()))
        return self

    async def __aexit__(self, *exc: Any) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.ws.close()

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                m = json.loads(raw)
                if m["type"] == "pong":
                    self._pongs.put_nowait(m)
                elif m["type"] == "timeline":
                    self.timelines.append((float(m["at"]), Timeline(**m["timeline"])))
                elif m["type"] == "members":
                    self.members = m["members"]
                elif m["type"] == "correct":
                    self.corrections.append(m)
                    self.rate = float(m["rate"])
                    if m["seek"] and (tl := self.timeline_now()) is not None:
                        self.position = tl.position_at(self.hub_now())
        except ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code
            self.closed.set()

    async def _play(self) -> None:
        last, last_report = time.monotonic(), 0.0
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(TICK_S)
                now = time.monotonic()
                held = next(((at, t) for at, t in reversed(self.timelines) if at <= self.hub_now()), None)
                if held is not None and held is not self._followed:  # a new command: act on it, as a player does
                    first = self._followed is None
                    self._followed = held
                    self.position = held[1].position_at(self.hub_now()) + (self.start_error_s if first else 0.0)
                elif self.position is not None and held is not None and held[1].playing:
                    self.position += (now - last) * self.rate
                last = now
                if self.position is not None and now - last_report >= REPORT_S and held is not None:
                    last_report = now
                    await self.ws.send(json.dumps({"type": "report", "position": self.position, "at": self.hub_now(),
                                                   "advancing": held[1].playing, "aligning": False}))

    def error_s(self) -> Optional[float]:
        """How far this player's picture is from the group's timeline, now."""
        tl = self.timeline_now()
        return None if tl is None or self.position is None else self.position - tl.position_at(self.hub_now())

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))
