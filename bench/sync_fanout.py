"""Live-sync fan-out: the hub's Yjs server against the reference Node y-websocket server.

    .venv/bin/python bench/sync_fanout.py [--clients 10,100,500] [--servers hub,node]
                                          [--writers rest,yjs] [--procs 2]

For each N and each server (and, for the hub, each writer), N real WebSocket clients
(pycrdt documents speaking the y-websocket protocol, spread over `--procs` processes) join
one home's document, and one writer changes it:

- hub, writer `rest`: the twinspace hub (uvicorn, its default settings) serving the bench
  home; the writer calls the REST API (`device.light` on the floor lamp, `--in-flight`
  requests at a time, default 4), so every change is validated, committed durably to SQLite
  and only then written to the document.
- hub, writer `yjs`: the same hub; the writer is a Yjs client of the hub's document, like the
  Node writer, and each change is a document edit: it sets a light's `state` to a new
  brightness. The hub turns the edit into `device.light`, validates it, commits it durably
  (the edits that arrive during one commit share the next) and only then writes the new
  `home.version`, which is the writer's acknowledgement. The writer keeps at most
  `--window` edits unacknowledged (default 8), each on a light of its own (the bench home
  has that many extra lights), so no edit is ever coalesced with another one still
  waiting: every edit is one validated, committed change.
- node: `@y/websocket-server` (the y-websocket reference server, from tests/sync/node),
  holding the same document; the writer is a Yjs client setting `home.version`. Nothing is
  validated or stored: the server relays the write.

Each client records when it first sees each `home.version`. Two phases:

- latency: changes paced at `--rate` per second (default: min(50, 2500/N), which keeps the
  clients' own CPU below saturation on a small machine) for `--seconds`; p50/p99 over every
  (client, change) delivery, from the writer starting the change to the client applying it.
  "fan-out" measures from the moment the change exists on the server instead: for the hub
  when it is committed (the REST request or the edit's trip, validation and the durable
  SQLite commit are left out), for the reference server the same as end to end;
- throughput: `--burst` changes as fast as the writer can make them (within its in-flight
  requests or window); updates/s is changes per second until every client has the last one.
  A hub change is acknowledged only once durable, so the hub's rate is at most
  in-flight ÷ (round trip + validation + commit); the changes that arrive during one commit
  share the next (a group commit), so more in flight share each fsync. The Node writer
  waits for nothing. "server CPU/change" is the server process's CPU time (user + system)
  over the burst phase, divided by its changes.

Every phase is bounded by `--timeout`. Clients, servers and the writer share the machine, so
absolute numbers say as much about the machine as about the servers; the ratios compare the
servers under the same clients, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Optional

ROOT = Path(__file__).resolve().parents[1]
try:
    import twinspace  # noqa: F401
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402
import psutil  # noqa: E402
from pycrdt import Doc, Map  # noqa: E402

from twinspace.portcheck import free_port, wait_port  # noqa: E402
from twinspace.sync.client import SyncClient  # noqa: E402

NODE_DIR = ROOT / "tests" / "sync" / "node"
NODE_SERVER = NODE_DIR / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
HOME = "demo-loft"
CONNECT_CONCURRENCY = 50
REST_IN_FLIGHT = 4
YJS_WINDOW = 8


# --- servers -------------------------------------------------------------------------

@dataclass
class Server:
    kind: str  # "hub" or "node"
    url: str  # the document's WebSocket URL, token included
    proc: subprocess.Popen
    http: Optional[str] = None
    token: Optional[str] = None
    commit_log: Optional[Path] = None  # hub: "version monotonic-time" per commit

    def commits(self) -> dict[int, float]:
        if self.commit_log is None or not self.commit_log.exists():
            return {}
        pairs = (line.split() for line in self.commit_log.read_text().splitlines() if line.strip())
        return {int(v): float(t) for v, t in pairs}

    def cpu_s(self) -> float:
        times = psutil.Process(self.proc.pid).cpu_times()
        return times.user + times.system

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def bench_lights(window: int) -> list[str]:
    return [f"bench-light-{i}" for i in range(1, window + 1)]


def bench_home(data: Path, window: int):  # noqa: ANN201 - twinspace.home.homefile.HomeBundle
    """The demo home with `window` more lights in the lounge (one per unacknowledged Yjs edit)."""
    from twinspace.demo import write_demo_home
    from twinspace.home.homefile import read_home_dir
    from twinspace.home.model import Device
    from twinspace.store.sqlite import utcnow

    bundle = read_home_dir(write_demo_home(data / "home", utcnow()))
    lounge = bundle.home.room("lounge")
    lounge.devices.extend(Device(id=d, kind="light", name=f"Bench light {d[12:]}") for d in bench_lights(window))
    return bundle


def start_hub(data: Path, window: int) -> Server:
    from twinspace import access
    from twinspace.hub import Hub
    from twinspace.store.sqlite import Store

    db = data / "twinspace.db"
    store = Store(db)
    Hub(store).import_bundle(bench_home(data, window))
    token = access.issue_token(store, HOME, "alex", "bench", role="owner").token
    store.close()
    port = free_port()
    commit_log = data / "commits.log"
    proc = subprocess.Popen([sys.executable, __file__, "--serve-hub", str(db), str(port), str(commit_log)])
    wait_port(port, 30, proc, "the hub")
    return Server("hub", f"ws://127.0.0.1:{port}/api/v1/sync/{HOME}?token={token}", proc,
                  http=f"http://127.0.0.1:{port}/api/v1/homes/{HOME}", token=token, commit_log=commit_log)


def serve_hub(db: str, port: int, commit_log: str) -> None:
    """The child process: the hub as `twinspace up` runs it (uvicorn defaults), noting when
    each change is committed (the moment the sync layer hears of it)."""
    import uvicorn

    from twinspace.hub import Hub
    from twinspace.server.app import create_app
    from twinspace.store.sqlite import Store

    hub = Hub(Store(db))
    log = open(commit_log, "a", buffering=1)
    hub.subscribe(lambda change: log.write(f"{change.version} {time.monotonic()}\n"))
    uvicorn.run(create_app(hub), host="127.0.0.1", port=port, log_level="warning")


def start_node() -> Server:
    if not NODE_SERVER.exists():
        raise SystemExit(f"{NODE_SERVER} is missing: run `make install-test` (npm ci in {NODE_DIR})")
    port = free_port()
    proc = subprocess.Popen(["node", str(NODE_SERVER)], cwd=NODE_DIR, stdout=subprocess.DEVNULL,
                            env={**os.environ, "HOST": "127.0.0.1", "PORT": str(port)})
    wait_port(port, 30, proc, "the Node y-websocket server")
    return Server("node", f"ws://127.0.0.1:{port}/{HOME}", proc)


# --- clients (in worker processes) ---------------------------------------------------

def client_worker(url: str, count: int, conn: Any) -> None:
    """Connect `count` clients, report ready, record arrivals until told to stop, send them back."""
    asyncio.run(_clients(url, count, conn))


async def _clients(url: str, count: int, conn: Any) -> None:
    arrivals: list[dict[int, float]] = [{} for _ in range(count)]

    def recorder(i: int) -> Any:
        last = [0]

        def on_remote(client: SyncClient) -> None:
            version = client.doc.get("home", type=Map).get("version")
            if version is not None and version > last[0]:
                now = time.monotonic()
                for v in range(last[0] + 1, int(version) + 1):
                    arrivals[i][v] = now
                last[0] = int(version)
        return on_remote

    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def start(i: int) -> SyncClient:
        async with gate:
            client = SyncClient(url, on_remote=recorder(i))
            await client.__aenter__()
            await asyncio.wait_for(client.synced.wait(), 60)
            return client

    clients = await asyncio.gather(*(start(i) for i in range(count)))
    loop = asyncio.get_running_loop()
    conn.send("ready")
    await loop.run_in_executor(None, conn.recv)  # "stop"
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    conn.send(arrivals)


@asynccontextmanager
async def clients(url: str, n: int, procs: int) -> AsyncIterator[list[Any]]:
    """N clients over `procs` processes; yields the pipes, collects the arrivals on exit."""
    ctx = mp.get_context("spawn")
    workers, pipes = [], []
    for k in range(procs):
        count = n // procs + (1 if k < n % procs else 0)
        if count == 0:
            continue
        mine, theirs = ctx.Pipe()
        p = ctx.Process(target=client_worker, args=(url, count, theirs), daemon=True)
        p.start()
        workers.append(p)
        pipes.append(mine)
    loop = asyncio.get_running_loop()
    try:
        for pipe in pipes:
            if not await loop.run_in_executor(None, pipe.poll, 120):
                raise TimeoutError("clients did not connect within 120 s")
            pipe.recv()
        collected: list[Any] = []
        yield collected
        for pipe in pipes:
            pipe.send("stop")
        for pipe in pipes:
            if await loop.run_in_executor(None, pipe.poll, 60):
                collected.extend(pipe.recv())
    finally:
        for p in workers:
            p.join(10)
            if p.is_alive():
                p.kill()


# --- writers -------------------------------------------------------------------------

class HubWriter:
    """Changes the hub through REST: validated, committed, then written to the document."""

    def __init__(self, server: Server, in_flight: int = REST_IN_FLIGHT) -> None:
        self.in_flight = in_flight
        self.http = httpx.AsyncClient(base_url=server.http or "", timeout=30,
                                      limits=httpx.Limits(max_connections=max(in_flight, 10)),
                                      headers={"Authorization": f"Bearer {server.token}"})
        self.url = server.url
        self.n = 0

    async def version(self) -> int:
        async with SyncClient(self.url) as probe:
            await asyncio.wait_for(probe.synced.wait(), 30)
            return int(probe.doc.get("home", type=Map)["version"])

    async def change(self) -> None:
        self.n += 1
        r = await self.http.post("/actions/device.light",
                                 json={"args": {"device": "lamp-floor", "brightness": self.n % 100 + 1}})
        r.raise_for_status()

    async def burst(self, count: int) -> None:
        todo = iter(range(count))

        async def worker() -> None:
            for _ in todo:
                await self.change()

        await asyncio.gather(*(worker() for _ in range(self.in_flight)))

    async def close(self) -> None:
        await self.http.aclose()


class YjsWriter:
    """A writer that is a Yjs client of the server (`self.client`); `change()` makes one edit."""

    client: SyncClient

    async def open(self) -> None:
        await self.client.__aenter__()
        await asyncio.wait_for(self.client.synced.wait(), 30)

    async def change(self) -> None:
        raise NotImplementedError

    async def burst(self, count: int) -> None:
        for _ in range(count):
            await self.change()

    async def close(self) -> None:
        await self.client.close()


class HubYjsWriter(YjsWriter):
    """A Yjs client of the hub making validated, durable edits: it sets a light's brightness
    in the document and counts an edit acknowledged when `home.version` has reached it."""

    def __init__(self, server: Server, window: int = YJS_WINDOW) -> None:
        self.lights = bench_lights(window)
        self.client = SyncClient(server.url, on_remote=lambda _: self._acked.set())
        self.home = self.client.doc.get("home", type=Map)
        self.devices = self.client.doc.get("devices", type=Map)
        self._acked = asyncio.Event()
        self.start = 0
        self.sent = 0

    async def open(self) -> None:
        await super().open()
        self.start = int(self.home["version"])

    async def version(self) -> int:
        return int(self.home["version"])

    async def change(self) -> None:
        window = len(self.lights)
        while int(self.home["version"]) - self.start < self.sent - window + 1:  # the window is full
            self._acked.clear()
            await asyncio.wait_for(self._acked.wait(), 30)
        light = self.devices[self.lights[self.sent % window]]
        level = self.sent // window % 100 + 1  # differs from the light's last level: every edit changes it
        light["state"] = {**light["state"], "on": True, "brightness": level}
        self.sent += 1
        await asyncio.sleep(0)  # let the client's writer put it on the wire


class NodeWriter(YjsWriter):
    """A Yjs client of the reference server, holding the same document, setting home.version."""

    def __init__(self, server: Server, seed: bytes) -> None:
        doc = Doc()
        doc.apply_update(seed)
        self.client = SyncClient(server.url, doc=doc)
        self.home = doc.get("home", type=Map)
        self._version = 0

    async def open(self) -> None:
        await super().open()
        self._version = int(self.home["version"])

    async def version(self) -> int:
        return self._version

    async def change(self) -> None:
        self._version += 1
        self.home["version"] = self._version
        await asyncio.sleep(0)  # let the client's writer put it on the wire


async def seed_document(window: int) -> bytes:
    """The bench home's document as the hub builds it, for the reference server to hold too."""
    from twinspace.hub import Hub
    from twinspace.store.sqlite import Store
    from twinspace.sync.room import HomeRoom

    with tempfile.TemporaryDirectory() as tmp:
        hub = Hub(Store(Path(tmp) / "db"))
        home = hub.import_bundle(bench_home(Path(tmp), window))
        update = HomeRoom(hub, home, hub.version(HOME)).doc.get_update()
        hub.store.close()
        return update


# --- measuring -----------------------------------------------------------------------

@dataclass
class Result:
    server: str  # "hub rest", "hub yjs" or "node"
    clients: int
    p50_ms: float  # from the writer starting a change to a client applying it
    p99_ms: float
    fanout_p50_ms: float  # from the change existing on the server (hub: committed) to a client applying it
    fanout_p99_ms: float
    updates_s: float
    lost: int
    cpu_ms: float  # the server process's CPU (user + system) per change of the burst


def percentiles(samples: list[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return (samples[0] * 1000, samples[0] * 1000) if samples else (float("nan"), float("nan"))
    q = statistics.quantiles(samples, n=100)
    return q[49] * 1000, q[98] * 1000


async def measure(name: str, server: Server, writer: Any, n: int, args: argparse.Namespace) -> Result:
    rate = args.rate or min(50.0, 2500.0 / n)
    count = max(20, int(rate * args.seconds))
    async with clients(server.url, n, args.procs) as collected:
        start = await writer.version()
        sent: dict[int, float] = {}
        deadline = time.monotonic() + args.timeout
        for i in range(count):  # paced: latency
            due = time.monotonic() + 1 / rate
            sent[start + i + 1] = time.monotonic()
            await writer.change()
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        await asyncio.sleep(1.0)  # let the last deliveries land
        last = start + len(sent) + args.burst
        cpu0 = server.cpu_s()
        t0 = time.monotonic()
        await asyncio.wait_for(writer.burst(args.burst), args.timeout)
        await asyncio.sleep(min(args.timeout, 2.0 + n * args.burst / 20000))
        cpu_ms = (server.cpu_s() - cpu0) * 1000 / args.burst
    origin = server.commits() or sent  # the reference server has no commit: the write is the origin
    latencies, fanout, lost, finished = [], [], 0, []
    for arrivals in collected:
        for version, at in sent.items():
            if version in arrivals:
                latencies.append(arrivals[version] - at)
                fanout.append(arrivals[version] - origin.get(version, at))
            else:
                lost += 1
        finished.append(arrivals.get(last, float("inf")))
    done = max(finished, default=float("inf"))
    return Result(name, n, *percentiles(latencies), *percentiles(fanout),
                  args.burst / (done - t0) if done != float("inf") else 0.0, lost, cpu_ms)


def setups(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(result name, server kind) in the order they run."""
    out: list[tuple[str, str]] = []
    for kind in args.servers:
        out += [(f"hub {w}", "hub") for w in args.writers] if kind == "hub" else [(kind, kind)]
    return out


async def run(args: argparse.Namespace) -> list[Result]:
    """Each N against each server and writer back to back, so all see the same machine load."""
    results: list[Result] = []
    seed = await seed_document(args.window)
    for n in args.clients:
        for name, kind in setups(args):
            with tempfile.TemporaryDirectory(prefix="twinspace-bench-") as tmp:
                server = start_hub(Path(tmp), args.window) if kind == "hub" else start_node()
                writer: Any = (HubWriter(server, args.in_flight) if name == "hub rest" else
                               HubYjsWriter(server, args.window) if name == "hub yjs" else NodeWriter(server, seed))
                try:
                    if hasattr(writer, "open"):
                        await writer.open()
                    r = await measure(name, server, writer, n, args)
                    results.append(r)
                    print(f"  {name:8} N={n:<4} p50 {r.p50_ms:6.1f} ms  p99 {r.p99_ms:6.1f} ms  fan-out p50 "
                          f"{r.fanout_p50_ms:6.1f} ms  p99 {r.fanout_p99_ms:6.1f} ms  {r.updates_s:6.1f} updates/s"
                          f"  server CPU {r.cpu_ms:.2f} ms/change  lost {r.lost}", flush=True)
                finally:
                    await writer.close()
                    server.stop()
    return results


NAMES = {"hub rest": "twinspace hub, REST writer", "hub yjs": "twinspace hub, Yjs writer",
         "node": "y-websocket (Node)"}


def table(results: list[Result]) -> str:
    by = {(r.server, r.clients): r for r in results}
    rows = ["| clients | server | p50 | p99 | fan-out p50 | fan-out p99 | updates/s | deliveries/s | "
            "server CPU/change |", "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for n in sorted({r.clients for r in results}):
        for name in NAMES:
            if r := by.get((name, n)):
                lost = f" ({r.lost} lost)" if r.lost else ""
                rows.append(f"| {n} | {NAMES[name]} | {r.p50_ms:.1f} ms | {r.p99_ms:.1f} ms | "
                            f"{r.fanout_p50_ms:.1f} ms | {r.fanout_p99_ms:.1f} ms | {r.updates_s:.0f} | "
                            f"{r.updates_s * n:.0f}{lost} | {r.cpu_ms:.2f} ms |")
        for name in ("hub rest", "hub yjs"):
            if (h := by.get((name, n))) and (o := by.get(("node", n))):
                ratio = [h.p50_ms / o.p50_ms, h.p99_ms / o.p99_ms, h.fanout_p50_ms / o.fanout_p50_ms,
                         h.fanout_p99_ms / o.fanout_p99_ms, h.updates_s / o.updates_s if o.updates_s else 0]
                cpu = f"{h.cpu_ms / o.cpu_ms:.2f}×" if o.cpu_ms else ""
                rows.append(f"| {n} | {name} ÷ node | " + " | ".join(f"{x:.2f}×" for x in ratio) + f" | | {cpu} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="10,100,500", help="comma-separated client counts")
    parser.add_argument("--servers", default="hub,node", help="hub, node or both")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--rate", type=float, default=0, help="paced changes per second (0: auto)")
    parser.add_argument("--seconds", type=float, default=5, help="length of the paced phase")
    parser.add_argument("--burst", type=int, default=200, help="changes in the throughput phase")
    parser.add_argument("--writers", default="rest,yjs", help="hub writers: rest, yjs or both")
    parser.add_argument("--in-flight", type=int, default=REST_IN_FLIGHT, help="hub rest: requests at a time")
    parser.add_argument("--window", type=int, default=YJS_WINDOW, help="hub yjs: unacknowledged edits at a time")
    parser.add_argument("--timeout", type=float, default=60, help="bound on each phase, seconds")
    parser.add_argument("--serve-hub", nargs=3, metavar=("DB", "PORT", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_hub:
        serve_hub(args.serve_hub[0], int(args.serve_hub[1]), args.serve_hub[2])
        return
    args.clients = [int(n) for n in args.clients.split(",")]
    args.servers = [s.strip() for s in args.servers.split(",")]
    args.writers = [w.strip() for w in args.writers.split(",")]
    if unknown := set(args.servers) - {"hub", "node"} or set(args.writers) - {"rest", "yjs"}:
        raise SystemExit(f"unknown server or writer {', '.join(sorted(unknown))}: servers are hub and node, "
                         "hub writers rest and yjs")
    if "node" in args.servers and shutil.which("node") is None:
        raise SystemExit("node is not installed; run with --servers hub")
    print(f"sync fan-out on {os.cpu_count()} CPUs: clients {args.clients}, {args.procs} client processes", flush=True)
    results = asyncio.run(run(args))
    print()
    print(table(results))


if __name__ == "__main__":
    main()
