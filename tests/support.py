"""Helpers shared by the tests (imported as `support`; conftest modules are not importable)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEMO_NOW = datetime(2026, 11, 28, 20, 5, tzinfo=timezone.utc)
CHROMIUM = "/usr/bin/chromium"  # Debian's: never `playwright install`


class _Playwright:
    """One Playwright for every browser open at once: a second sync Playwright in the same
    thread is refused ("Sync API inside the asyncio loop"), and a suite may need two browsers
    with different flags side by side. Stopped when the last browser closes, so a suite that
    starts Playwright itself still can."""

    running: Any = None
    browsers = 0


@contextmanager
def chromium(args: list[str], home: Path | None = None) -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright, with a suite's own flags (a
    playwright Browser); the test is skipped where Chromium is not installed. Several may be
    open at once. `home` runs it under that HOME: Chromium on Linux trusts the certificates
    of the NSS database in $HOME/.pki/nssdb, so each browser can trust a CA of its own."""
    import os
    import shutil

    from playwright.sync_api import sync_playwright

    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is missing (Debian package chromium; scripts/system-deps)")
    if _Playwright.running is None:
        _Playwright.running = sync_playwright().start()
    _Playwright.browsers += 1
    try:
        env = None if home is None else {**os.environ, "HOME": str(home)}
        browser = _Playwright.running.chromium.launch(executable_path=CHROMIUM, args=args, headless=True, env=env)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        _Playwright.browsers -= 1
        if _Playwright.browsers == 0:
            _Playwright.running.stop()
            _Playwright.running = None


def shared_path(*parts: str) -> Path:
    """A file from the team's shared specs; tests using it skip where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared fixture {path} not available")
    return path


@contextmanager
def serving(app, start_timeout_s: float = 20.0, host: str = "127.0.0.1") -> Iterator[str]:  # noqa: ANN001 - an ASGI app
    """Run `app` for real (uvicorn, lifespan and all) on a free port of `host` (a loopback
    address: 127.0.0.x); yields its URL."""
    import socket
    import threading

    import uvicorn

    sock = socket.socket()
    sock.bind((host, 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(int(start_timeout_s / 0.05)):
        if server.started:
            break
        thread.join(0.05)
    assert server.started, "the hub did not start"
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(20)
        sock.close()
    assert not thread.is_alive(), "the hub did not stop"


def content_hub(tmp_path: Path):  # noqa: ANN201 - twinspace.hub.Hub
    """A hub on a fresh store with the demo home and its content, its clock at DEMO_NOW."""
    from twinspace.content.services import ContentServices
    from twinspace.demo import write_demo_home
    from twinspace.home.homefile import read_home_dir
    from twinspace.hub import Hub
    from twinspace.store.sqlite import Store

    store = Store(tmp_path / "db" / "twinspace.db")
    hub = Hub(store, services=ContentServices(store, clock=lambda: DEMO_NOW), clock=lambda: DEMO_NOW)
    hub.import_bundle(read_home_dir(write_demo_home(tmp_path / "demo", DEMO_NOW)))
    return hub
