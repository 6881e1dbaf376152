"""Helpers of the reliability suite: a real hub process, paired tokens, problem documents, peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from twinspace import access
from twinspace.portcheck import free_port  # noqa: F401  (the reliability tests import it from here)
from twinspace.store.sqlite import Store

HOME = "demo-loft"


def pair(base_url: str, store: Store, name: str, person: str = "alex") -> str:
    """A device token obtained the way a device gets one: a code, redeemed over the API."""
    code = access.create_pairing_code(store, HOME, person).code
    r = httpx.post(f"{base_url}/api/v1/pair", json={"code": code, "name": name}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def assert_problem(r: httpx.Response, status: int) -> dict:
    """An RFC 9457 problem document with the expected status."""
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"].startswith("https://")
    return body


@dataclass
class HubProcess:
    """`twinspace up` in its own process, on a free port of 127.0.0.1."""

    proc: subprocess.Popen
    url: str
    data: Path
    log: Path
    store: Store

    @property
    def ps(self) -> psutil.Process:
        return psutil.Process(self.proc.pid)

    def rss_mb(self) -> float:
        return self.ps.memory_info().rss / 2**20

    def alive(self) -> bool:
        return self.proc.poll() is None

    def token(self, name: str) -> str:
        return pair(self.url, self.store, name)


def start_hub(data: Path, port: int, env: dict[str, str] | None = None) -> HubProcess:
    log = data.parent / f"{data.name}-hub.log"
    proc = subprocess.Popen([sys.executable, "-m", "twinspace.cli", "--data", str(data), "up", "--port", str(port)],
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the hub exited: {log.read_text()[-2000:]}"
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return HubProcess(proc, url, data, log, Store(data / "twinspace.db"))
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"the hub did not answer /health: {log.read_text()[-2000:]}")


def stop_hub(hub: HubProcess) -> None:
    hub.store.close()
    if hub.alive():
        hub.proc.terminate()
        try:
            hub.proc.wait(20)
        except subprocess.TimeoutExpired:
            hub.proc.kill()
            hub.proc.wait(10)


@dataclass
class PeakRss:
    """The highest RSS of a process while sampled every few milliseconds."""

    process: psutil.Process
    peak_mb: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "PeakRss":
        self.peak_mb = self.process.memory_info().rss / 2**20
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak_mb = max(self.peak_mb, self.process.memory_info().rss / 2**20)
            except psutil.NoSuchProcess:
                return
            time.sleep(0.005)

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)
