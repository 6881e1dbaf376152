"""kill -9 of a serving hub at 20 random moments: no change the API acknowledged is lost.

Each trial starts the real app (uvicorn, the store's durable commits) in its own process on
a copy of one database, writes through `POST .../actions/device.light` one request after
another, and kills the process with SIGKILL at a random moment while requests are in
flight. The reopened database must hold every change that was answered 200, at most one
more (committed, its answer not yet sent), and pass SQLite's integrity check. The seed is
printed, so a failing trial can be run again.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
from rules_helpers import demo_home_dir  # noqa: F401 - a fixture

from twinspace import access
from twinspace.home.homefile import read_home_dir
from twinspace.store.sqlite import Store

TRIALS = 20
HOME = "demo-loft"
SERVER = textwrap.dedent("""
    import socket, sys
    import uvicorn
    from twinspace.hub import Hub
    from twinspace.server.app import create_app
    from twinspace.store.sqlite import Store
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    app = create_app(Hub(Store(sys.argv[1])))
    uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on")).run(sockets=[sock])
""")


def serve(db: Path) -> tuple[subprocess.Popen, str]:
    """The app on `db` in a process of its own (SERVER), once it answers /health."""
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = f"http://127.0.0.1:{int(proc.stdout.readline())}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise TimeoutError("the hub did not answer /health within 30 s")


def _brightness(start: int, i: int) -> int:
    """Write `i`'s brightness: never the one before it (nor, for the first, the lamp's `start`),
    so every write is a change and bumps the version once."""
    return (start + i) % 100 + 1


def _writer(url: str, token: str, start: int, acked: list[int], stop: threading.Event) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=5) as client:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                r = client.post(f"/api/v1/homes/{HOME}/actions/device.light",
                                json={"args": {"device": "lamp-floor", "brightness": _brightness(start, i)}})
            except httpx.HTTPError:
                return  # the hub was killed: this request may or may not have committed
            assert r.status_code == 200, r.text
            acked.append(i)


def _trial(db: Path, token: str, delay_s: float) -> tuple[int, int, int]:
    """(acknowledged writes, committed writes, SQLite integrity is ok: 1/0) of one trial."""
    base = Store(db)
    before, v0 = base.load_home(HOME)
    start = before.device_state("lamp-floor").brightness or 0  # where the last trial left the lamp
    base.close()
    proc, url = serve(db)
    try:
        deadline = time.monotonic() + 30
        acked: list[int] = []
        stop = threading.Event()
        writer = threading.Thread(target=_writer, args=(url, token, start, acked, stop), daemon=True)
        writer.start()
        while not acked and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay_s)  # the random moment
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        stop.set()
        writer.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    store = Store(db)
    try:
        home, version = store.load_home(HOME)
        committed = version - v0
        if committed:  # one writer, in order: the last committed write is number `committed`
            assert home.device_state("lamp-floor").brightness == _brightness(start, committed)
        ok = store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
    return len(acked), committed, int(ok)


def test_20_kills_at_random_moments_lose_no_acknowledged_change(tmp_path: Path, demo_home_dir: Path) -> None:
    seed = int(os.environ.get("TWINSPACE_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"kill -9 trials: seed {seed} (TWINSPACE_KILL_SEED={seed} repeats them)")
    template = tmp_path / "template" / "twinspace.db"
    store = Store(template)
    bundle = read_home_dir(demo_home_dir)
    store.create_home(bundle.home, bundle.files)
    token = access.issue_token(store, HOME, "alex", "kill test", role="owner").token
    store.close()
    started = time.monotonic()
    results = []
    db = tmp_path / "trials" / "twinspace.db"
    db.parent.mkdir()
    shutil.copyfile(template, db)  # one database, killed and reopened 20 times over
    for trial in range(TRIALS):
        delay = rng.uniform(0.0, 0.8)
        acked, committed, ok = _trial(db, token, delay)
        results.append((trial, round(delay, 3), acked, committed, ok))
    total_acked = sum(r[2] for r in results)
    print(f"{TRIALS} trials in {time.monotonic() - started:.1f} s, {total_acked} acknowledged writes: {results}")
    lost = [r for r in results if r[3] < r[2]]
    assert not lost, f"acknowledged changes lost (trial, delay, acked, committed, ok): {lost}; seed {seed}"
    assert all(r[3] <= r[2] + 1 for r in results), f"more committed than sent: {results}"
    assert all(r[4] for r in results), "the database failed its integrity check"
    assert total_acked >= TRIALS, "the writers did not get going"
