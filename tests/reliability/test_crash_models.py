"""Issue 12, item 1: concurrent use of a model cannot crash the hub, ggml never forks a
debugger, and `up` names what holds a busy port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from reliability_helpers import assert_problem, free_port
from twinspace.model_owner import Busy, ModelOwner

pytestmark = pytest.mark.slow


def test_concurrent_plain_chats_and_turns_do_not_crash_the_hub(hub_process) -> None:
    """Eight plain chats (two segfaulted the hub before) and eight turns at once, from eight devices."""
    tokens = [hub_process.token(f"chatter {i}") for i in range(8)]
    pid = hub_process.proc.pid

    def chat(i: int) -> httpx.Response:
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        if i % 2:
            return httpx.post(f"{hub_process.url}/v1/assistant/turns", headers=headers, timeout=180,
                              json={"text": "turn on the floor lamp"})
        return httpx.post(f"{hub_process.url}/v1/chat/completions", headers=headers, timeout=180,
                          json={"model": "smollm2-135m", "max_tokens": 8, "stream": i % 4 == 0,
                                "messages": [{"role": "user", "content": f"Say hello {i}"}]})

    for _ in range(2):
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(chat, range(8)))
        assert hub_process.alive(), hub_process.log.read_text()[-3000:]
        for r in answers:
            assert r.status_code in (200, 429), r.text[:300]
            if r.status_code == 429:
                assert_problem(r, 429)
                assert int(r.headers["Retry-After"]) >= 1
        assert sum(r.status_code == 200 for r in answers) >= 4
    assert hub_process.proc.pid == pid and httpx.get(f"{hub_process.url}/api/v1/health").status_code == 200
    # No forked children (ggml's crash handler would leave them holding the port).
    assert hub_process.ps.children(recursive=True) == [] or all(
        "ffmpeg" in c.name() for c in hub_process.ps.children(recursive=True))


def test_ggml_backtraces_never_fork() -> None:
    code = "import os, twinspace.assistant.runtime; print(os.environ.get('GGML_NO_BACKTRACE'))"
    env = {k: v for k, v in os.environ.items() if k != "GGML_NO_BACKTRACE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.stdout.strip() == "1", out.stderr


def test_one_owner_runs_calls_one_at_a_time_and_bounds_its_queue() -> None:
    owner = ModelOwner("test", capacity=3, per_device=2)
    running, overlap = [0], [0]
    lock = threading.Lock()

    def work() -> int:
        with lock:
            running[0] += 1
            overlap[0] = max(overlap[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return threading.get_ident()

    a, b = owner.admit("a"), owner.admit("a")
    with pytest.raises(Busy) as refused:
        owner.admit("a")  # a device's share is 2
    assert refused.value.status == 429 and refused.value.extra["retry_after_s"] >= 1
    c = owner.admit("b")
    with pytest.raises(Busy, match="requests waiting"):
        owner.admit("c")  # the model's queue is 3
    with ThreadPoolExecutor(6) as pool:
        threads = set(pool.map(lambda _: owner.call(work), range(6)))
    assert overlap[0] == 1 and len(threads) == 1  # one thread, one call at a time
    for t in (a, b, c, c):  # releasing twice is harmless
        t.release()
    assert owner.in_flight == 0
    owner.admit("a").release()
    assert owner.call(lambda: owner.call(lambda: "nested")) == "nested"  # a call from the owner runs directly


def test_up_names_what_holds_its_port(tmp_path) -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        out = subprocess.run([sys.executable, "-m", "twinspace.cli", "--data", str(tmp_path / "data"), "up",
                              "--port", str(port)], capture_output=True, text=True, timeout=120,
                             stdin=subprocess.DEVNULL)
    assert out.returncode == 1
    assert f"127.0.0.1:{port} is already in use by process {os.getpid()}" in out.stderr, out.stderr
    assert "--port" in out.stderr
