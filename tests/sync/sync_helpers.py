"""Helpers for the live-sync tests: a real hub server in a thread, and a stock Node client."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

import anyio

from support import serving
from twinspace.hub import Hub
from twinspace.server.app import create_app

NODE_DIR = Path(__file__).parent / "node"


class LiveServer:
    """The hub's app served for real on 127.0.0.1 (support.serving), with its sync URL."""

    def __init__(self, hub: Hub) -> None:
        self.app = create_app(hub)
        self._serving = serving(self.app)
        self.http = ""

    @property
    def ws(self) -> str:
        return self.http.replace("http://", "ws://", 1) + "/api/v1/sync"

    def __enter__(self) -> "LiveServer":
        self.http = self._serving.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._serving.__exit__(*exc)


def node_modules_ready() -> Optional[str]:
    """None when the Node client can run, else why not (installing with npm ci if needed)."""
    if shutil.which("node") is None:
        return "node is not installed"
    if (NODE_DIR / "node_modules" / "y-websocket").is_dir():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return f"{NODE_DIR}/node_modules is missing and npm is not available (run `npm ci` there)"
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], cwd=NODE_DIR,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"npm ci in {NODE_DIR} failed:\n{done.stderr[-2000:]}")
    return None


class NodeClient:
    """tests/sync/node/client.mjs: Yjs + y-websocket from npm, as a browser would use them."""

    def __init__(self, server_url: str, room: str, token: str, presence: Optional[dict[str, Any]] = None) -> None:
        args = ["node", "client.mjs", server_url, room, token] + ([json.dumps(presence)] if presence else [])
        self.proc = subprocess.Popen(args, cwd=NODE_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.events: list[dict[str, Any]] = []
        self.doc: dict[str, Any] = {}
        self.states: dict[int, dict[str, Any]] = {}
        self.doc_seen_at: float = 0.0  # time.time() when the latest doc snapshot was read
        self.client_id: Optional[int] = None  # its Yjs client id
        self._ids = iter(range(1, 1_000_000))
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            event = json.loads(line)
            with self._lock:
                self.events.append(event)
                if "doc" in event:
                    self.doc = event["doc"]
                    self.doc_seen_at = time.time()
                if event["event"] == "hello":
                    self.client_id = event["client"]
                if event["event"] == "awareness":
                    self.states = {int(c): s for c, s in event["states"]}

    def peers(self) -> dict[int, dict[str, Any]]:
        """Everyone else's presence, as this client sees it."""
        return {c: s for c, s in self.states.items() if c != self.client_id}

    async def wait_for(self, predicate: Callable[["NodeClient"], Any], timeout: float = 5.0) -> Any:
        with anyio.fail_after(timeout):
            while True:
                with self._lock:
                    value = predicate(self)
                if value:
                    return value
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the node client exited: {self.proc.stderr.read() if self.proc.stderr else ''}")
                await anyio.sleep(0.005)

    async def command(self, op: str, **fields: Any) -> None:
        ident = next(self._ids)
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"id": ident, "op": op, **fields}) + "\n")
        self.proc.stdin.flush()
        reply = await self.wait_for(lambda c: next((e for e in c.events if e.get("id") == ident), None))
        if reply["event"] == "error":
            raise RuntimeError(f"node client: {reply['message']}")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(5)
            except (subprocess.TimeoutExpired, BrokenPipeError, OSError):
                self.proc.kill()
                self.proc.wait(5)


def panel(doc: dict[str, Any], panel_id: str) -> Optional[dict[str, Any]]:
    return (doc.get("panels") or {}).get(panel_id)

