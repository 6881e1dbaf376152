"""Fixtures for the XR client's browser tests: a real hub (uvicorn on a free port) serving the
built client, Debian's Chromium through Playwright, and paired pages."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlencode

import pytest
from client_helpers import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    CLIENT,
    DIST,
    IWER,
    Rest,
    pairing_script,
    wait_ready_and_connected,
)
from support import chromium, serving

from twinspace import access
from twinspace.demo import write_demo_home
from twinspace.home.homefile import read_home_dir
from twinspace.hub import Hub
from twinspace.store.sqlite import Store

HOME = "demo-loft"


def _client_sources_newer_than_build() -> bool:
    index = DIST / "index.html"
    if not index.is_file():
        return True
    built = index.stat().st_mtime
    for path in CLIENT.rglob("*"):
        if "node_modules" in path.parts or not path.is_file():
            continue
        if path.stat().st_mtime > built:
            return True
    return False


@pytest.fixture(scope="session")
def client_build() -> Path:
    """The built client; built here (as `make client` does) when missing or stale."""
    if _client_sources_newer_than_build():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("the XR client is not built and npm is missing: run `make client` (needs Node.js 20+)")
        if not (CLIENT / "node_modules" / ".package-lock.json").is_file():
            subprocess.run([npm, "ci", "--prefix", str(CLIENT), "--no-audit", "--no-fund", "--ignore-scripts"],
                           check=True, timeout=600)
        subprocess.run([npm, "run", "build", "--prefix", str(CLIENT)], check=True, timeout=600,
                       stdout=subprocess.DEVNULL)
    assert (DIST / "index.html").is_file()
    return DIST


@pytest.fixture(scope="module")
def client_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """The demo home on a fresh store, with the content catalogue when this hub has one."""
    root = tmp_path_factory.mktemp("client-hub")
    store = Store(root / "data" / "twinspace.db")
    services = None
    try:
        from twinspace.content.services import ContentServices
    except ImportError:  # a hub without the content services: panels still open, unchecked
        ContentServices = None  # type: ignore[assignment,misc]
    if ContentServices is not None:
        services = ContentServices(store)
    hub = Hub(store, services=services)
    hub.import_bundle(read_home_dir(write_demo_home(root / "demo-home", datetime.now(timezone.utc))))
    yield hub
    if services is not None and hasattr(services, "close"):
        services.close()
    store.close()


@pytest.fixture(scope="module")
def hub_url(client_hub: Hub, client_build: Path) -> Iterator[str]:
    """The real hub (uvicorn, lifespan and all: live sync, media) on a free port of 127.0.0.1."""

    from twinspace.server.app import create_app

    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is missing (scripts/system-deps installs it): the demo channels cannot play")
    with serving(create_app(client_hub)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(CHROMIUM_ARGS) as b:
        yield b


@pytest.fixture(scope="module")
def owner_rest(client_hub: Hub, hub_url: str) -> Rest:
    token = access.issue_token(client_hub.store, HOME, "alex", "client tests (REST)", role="owner").token
    return Rest(hub_url, token)


@pytest.fixture(scope="session")
def iwer_js() -> str:
    """Meta's WebXR emulator, for pages to load before the app (see client_helpers.emulator)."""
    if not IWER.is_file():
        pytest.fail(f"{IWER} is missing: run `make client` (npm ci --prefix client installs iwer, a dev dependency)")
    return IWER.read_text(encoding="utf-8")


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class ConsoleWatch:
    """Errors a page printed (console.error, uncaught exceptions, failed requests)."""

    IGNORED = ("GPU stall due to ReadPixels",)

    def __init__(self) -> None:
        self.errors: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("console", lambda m: self._console(m))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def _console(self, message: Any) -> None:
        if message.type == "error" and not any(s in message.text for s in self.IGNORED):
            self.errors.append(f"console.error: {message.text}")


@pytest.fixture
def open_page(browser: Any, hub_url: str, client_hub: Hub) -> Iterator[Callable[..., Any]]:
    """open_page(mode=None, paired=True, viewport=(w, h), init_scripts=(), space=None, device=None) → a page on the client.

    `paired=True` starts the page with a fresh device token in its storage (the pairing screen
    is tested on its own), for the home's XR device `device` when given; every page's console
    is checked for errors at the end of the test.
    """
    contexts: list[Any] = []
    watches: list[ConsoleWatch] = []

    def open_(mode: str | None = None, *, paired: bool = True, viewport: tuple[int, int] = (1024, 640),
              init_scripts: tuple[str, ...] = (), wait_ready: bool = True, person: str = "alex",
              space: str | None = None, device: str | None = None) -> Any:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        for script in init_scripts:
            context.add_init_script(script)
        if paired:
            issued = access.issue_token(client_hub.store, HOME, person, f"client test {len(contexts)}",
                                        role="owner" if person == "alex" else "member", device=device)
            context.add_init_script(pairing_script({"token": issued.token, "home": HOME, "person": person,
                                                    "role": issued.caller.role, "name": f"Test {len(contexts)}"}))
        page = context.new_page()
        watch = ConsoleWatch()
        watch.attach(page)
        watches.append(watch)
        page.watch = watch  # type: ignore[attr-defined]
        query = {k: v for k, v in (("mode", mode), ("space", space)) if v is not None}
        page.goto(hub_url + "/" + ("?" + urlencode(query) if query else ""))
        if paired and wait_ready:
            wait_ready_and_connected(page)
        return page

    yield open_
    errors = [e for w in watches for e in w.errors]
    for context in contexts:
        context.close()
    assert errors == [], "the client printed errors:\n" + "\n".join(errors)
