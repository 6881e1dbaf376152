"""Item 9: pairing codes only on a terminal or when asked, no tokens in access logs, a private data directory."""

from __future__ import annotations

import logging
import socket
import stat
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from rules_helpers import demo_home_dir, demo_hub, run_cli  # noqa: F401 - fixtures
from websockets.sync.client import connect

from twinspace import access
from twinspace.server.app import create_app


@pytest.fixture
def no_serving(monkeypatch):  # noqa: ANN201
    import twinspace.runtime

    monkeypatch.setattr(twinspace.runtime, "serve", lambda hub, host, port: None)
    monkeypatch.setattr(twinspace.runtime, "ensure_demo_home", lambda hub, base_url: None)


def test_up_prints_a_code_only_when_asked_or_on_a_terminal(tmp_path: Path, demo_home_dir: Path, no_serving) -> None:
    data = tmp_path / "data"
    assert run_cli(data, "import", str(demo_home_dir)).exit_code == 0
    quiet = run_cli(data, "up")  # CliRunner's stdout is not a terminal, like a service's log
    assert quiet.exit_code == 0 and "Pair a device with code" not in quiet.output
    assert "twinspace pair" in quiet.output
    asked = run_cli(data, "up", "--pairing-code")
    assert asked.exit_code == 0 and "Pair a device with code " in asked.output


def test_the_data_directory_and_its_secrets_are_private(tmp_path: Path, demo_home_dir: Path) -> None:
    data = tmp_path / "fresh" / "data"
    assert run_cli(data, "import", str(demo_home_dir)).exit_code == 0
    assert run_cli(data, "pair").exit_code == 0  # makes the hub key
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    secrets = [data / "twinspace.db", data / "hub.key", *data.glob("twinspace.db-*")]  # with WAL files
    assert {p.name for p in secrets} >= {"twinspace.db", "hub.key"}
    for path in secrets:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_tokens_in_urls_never_reach_the_logs(demo_hub) -> None:
    token = access.issue_token(demo_hub.store, "demo-loft", "alex", "Alex's Quest", role="owner").token
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(demo_hub), log_level="info", access_log=True, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    lines = _Lines()
    try:
        for _ in range(400):
            if server.started:
                break
            time.sleep(0.05)
        for name in ("uvicorn.access", "uvicorn.error"):
            logging.getLogger(name).addHandler(lines)
        base = f"127.0.0.1:{sock.getsockname()[1]}"
        assert httpx.get(f"http://{base}/api/v1/me?token={token}&x=1").status_code == 401  # query tokens are not auth
        httpx.get(f"http://{base}/media/vod/none?token={token}")
        with connect(f"ws://{base}/api/v1/sync/demo-loft?token={token}") as ws:
            ws.recv(timeout=5)
        time.sleep(0.2)
    finally:
        for name in ("uvicorn.access", "uvicorn.error"):
            logging.getLogger(name).removeHandler(lines)
        server.should_exit = True
        thread.join(20)
        sock.close()
    logged = "\n".join(lines.lines)
    assert "token=[redacted]&x=1" in logged and "/media/vod/none?token=[redacted]" in logged
    assert "WebSocket /api/v1/sync/demo-loft?token=[redacted]" in logged
    assert token not in logged
