"""What every protocol double shares: an aiohttp server on a loopback address, run on an
event loop in a thread of its own, that the test can unplug and plug back in."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Optional

from aiohttp import web


class LoopbackServer:
    host: str
    port: int

    def __init__(self, name: str) -> None:
        self._sockets: set[web.WebSocketResponse] = set()
        self._runner: Optional[web.AppRunner] = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def __enter__(self) -> Any:
        self._thread.start()
        self.plug()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.unplug()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    @property
    def on(self) -> bool:
        return self._runner is not None

    def plug(self) -> None:
        """Start serving (again) on the same address."""
        self._run(self._start())

    def unplug(self) -> None:
        """Drop every connection and stop listening, as if the cable were pulled."""
        self._run(self._stop())

    async def _start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port, reuse_address=True).start()

    async def _stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
