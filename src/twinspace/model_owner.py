"""One owner per loaded model: every call runs on the model's own thread, and few may wait.

llama.cpp contexts, Piper's ONNX session and CTranslate2's Whisper must not be called from
two threads at once (two concurrent plain chats segfaulted the hub), and a request waiting
for a model must not hold one of the threads that serve the API (50 queued turns blocked
`/health` for 12 s). So each model gets one worker thread, and requests are admitted to
it through a bounded queue: beyond what one device may have in flight, or what the model
may have waiting in all, a request is refused at once with 429 and a Retry-After estimate.

Admission (`admit`) counts requests; execution (`call`, `run`, `iterate`) runs the work. A
request may run several calls on the owner (one per sentence of speech) under one ticket.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, AsyncIterator, Callable, Hashable, Iterator, Optional

from twinspace.errors import TwinspaceError

PER_DEVICE = 4  # requests one device may have in flight on one model (running or waiting)
CAPACITY = 32  # requests all devices together may have in flight on one model


class Busy(TwinspaceError):
    status = 429
    title = "Too many requests"
    slug = "busy"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after_s=retry_after)  # the problem's Retry-After header


class Ticket:
    """A request's place in a model's queue; give it back once (release is idempotent)."""

    def __init__(self, owner: "ModelOwner", key: Optional[Hashable]) -> None:
        self._owner, self._key, self._held = owner, key, True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._owner._leave(self._key)

    async def __aenter__(self) -> "Ticket":
        return self

    async def __aexit__(self, *_: Any) -> None:
        self.release()

    def __enter__(self) -> "Ticket":
        return self

    def __exit__(self, *_: Any) -> None:
        self.release()


class ModelOwner:
    def __init__(self, name: str, *, capacity: int = CAPACITY, per_device: int = PER_DEVICE) -> None:
        self.name = name
        self.capacity, self.per_device = capacity, per_device
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"model-{name}")
        self._lock = threading.Lock()
        self._in_flight = 0
        self._by_key: Counter[Hashable] = Counter()
        self._thread: Optional[int] = None
        self._mean_s = 1.0  # a running mean of a request's time, for Retry-After

    # --- admission --------------------------------------------------------------------

    def admit(self, key: Optional[Hashable] = None) -> Ticket:
        """A ticket for one request from device `key`, or Busy (429) when the queue is full."""
        with self._lock:
            if self._in_flight >= self.capacity:
                raise Busy(f"the {self.name} model has {self._in_flight} requests waiting; try again shortly",
                           self._retry_after(self._in_flight))
            if key is not None and self._by_key[key] >= self.per_device:
                raise Busy(f"this device already has {self._by_key[key]} requests waiting for the {self.name} "
                           "model; wait for an answer before sending more", self._retry_after(self._by_key[key]))
            self._in_flight += 1
            if key is not None:
                self._by_key[key] += 1
            return Ticket(self, key)

    def _leave(self, key: Optional[Hashable]) -> None:
        with self._lock:
            self._in_flight -= 1
            if key is not None:
                self._by_key[key] -= 1
                if self._by_key[key] <= 0:
                    del self._by_key[key]

    def _retry_after(self, ahead: int) -> int:
        return max(1, math.ceil(self._mean_s * ahead))

    @property
    def in_flight(self) -> int:
        return self._in_flight

    # --- execution --------------------------------------------------------------------

    def on_owner_thread(self) -> bool:
        return threading.get_ident() == self._thread

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> "Future[Any]":
        def job() -> Any:
            self._thread = threading.get_ident()
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._mean_s = 0.8 * self._mean_s + 0.2 * (time.perf_counter() - started)

        return self._pool.submit(job)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `fn` on the owner thread and wait for it; directly when already there."""
        if self.on_owner_thread():
            return fn(*args, **kwargs)
        return self.submit(fn, *args, **kwargs).result()

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Await `fn` run on the owner thread: the event loop and the API's threads stay free."""
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def iterate(self, make: Callable[..., Iterator[Any]], *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        """The items of `make(*args)`, made and advanced on the owner thread as one job.

        The job starts now; closing the returned iterator early stops it at the next item."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue()
        stop = threading.Event()

        def put(done: bool, value: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, (done, value))
            except RuntimeError:  # the loop is gone: nobody is listening any more
                stop.set()

        def job() -> None:
            made = None
            try:
                made = make(*args, **kwargs)
                for item in made:
                    if stop.is_set():
                        break
                    put(False, item)
            except BaseException as e:  # noqa: BLE001 - handed to the awaiting side
                put(True, e)
            else:
                put(True, None)
            finally:
                # A stream left early is closed here, on the owner thread, so what it set up
                # around itself (the model's adapter switched off) is undone before the next job.
                getattr(made, "close", lambda: None)()

        self.submit(job)

        async def items() -> AsyncIterator[Any]:
            try:
                while True:
                    done, value = await queue.get()
                    if done:
                        if value is not None:
                            raise value
                        return
                    yield value
            finally:
                stop.set()

        return items()


_attach_lock = threading.Lock()


def owner_of(model: Any) -> ModelOwner:
    """The owner of a loaded model (its `owner` attribute; one is attached to any other object)."""
    with _attach_lock:
        owner = getattr(model, "owner", None)
        if not isinstance(owner, ModelOwner):
            owner = ModelOwner(type(model).__name__)
            model.owner = owner
        return owner
