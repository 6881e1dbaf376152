"""Many homes over 1 and 3 hub replicas, with the single-process SQLite hub as the baseline.

    .venv/bin/python bench/scale.py [--homes 1000] [--clients 5] [--replicas 1,3]
                                    [--seconds 10] [--writers 32] [--trials 20] [--procs 2]

For each set-up, `--homes` homes are created in its store (copies of the demo home) and
`--clients` live clients (y-websocket over pycrdt, spread over `--procs` processes) join each
home's document:

- sqlite: `twinspace up` as one process on its SQLite file, no balancer;
- N replicas: `twinspace cluster up`'s layout (cluster/local.py): PostgreSQL, Redis, HAProxy
  routing by home, N hub replicas; clients and writers go through HAProxy.

`--writers` writers (over `--writer-procs` processes) then change the homes through REST for
`--seconds` (each writer owns a share of the homes and changes them in turn, one request in
flight): actions/s is changes
acknowledged per second; delivery is from a writer starting a change to a client applying it,
p50/p99 over every (client, change); CPU per replica is its processes' CPU seconds over the
phase's wall time (the writers' own CPU is shown too: near their process count, the load
generator was the limit). On the largest cluster `--trials` failover trials follow
(cluster/failover.py): the owner of a home with live clients is killed with SIGKILL during
writes; reported: changes lost, time from the kill until every client is current, ghosts.

Clients, writers and servers share the machine: on a small one, absolute numbers say as much
about it as about the hub; compare the rows of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parents[1]
try:
    import twinspace  # noqa: F401
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402
from pycrdt import Map  # noqa: E402

from twinspace.cluster.local import HubReplica, LocalCluster  # noqa: E402
from twinspace.portcheck import free_port  # noqa: E402
from twinspace.sync.client import SyncClient  # noqa: E402

CONNECT_CONCURRENCY = 64
DEVICE = "lamp-floor"


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- homes ---------------------------------------------------------------------------

def make_homes(store: Any, count: int, base_url: str) -> dict[str, str]:
    """`count` copies of the demo home in `store`, each with an owner token; home id -> token."""
    from twinspace import access
    from twinspace.demo import write_demo_home
    from twinspace.home.homefile import read_home_dir
    from twinspace.store.sqlite import utcnow

    with tempfile.TemporaryDirectory() as tmp:
        demo = read_home_dir(write_demo_home(Path(tmp), utcnow(), base_url)).home
    tokens = {}
    for i in range(count):
        home = demo.model_copy(update={"id": f"home-{i:04d}", "name": f"Home {i}"})
        store.create_home(home, {})
        tokens[home.id] = access.issue_token(store, home.id, home.owner_id(), "bench", role="owner").token
    return tokens


@dataclass
class Setup:
    name: str
    url: str  # where clients and writers go
    pids: dict[str, list[int]]  # replica name -> its process ids (for CPU)
    tokens: dict[str, str]
    stop: Any
    cluster: Optional[LocalCluster] = None


def start_sqlite(args: argparse.Namespace, work: Path) -> Setup:
    from twinspace.store.sqlite import Store

    data = work / "sqlite"
    store = Store(data / "twinspace.db")
    port = free_port()
    tokens = make_homes(store, args.homes, f"http://127.0.0.1:{port}")
    store.close()
    env = {**os.environ, "TWINSPACE_DATA": str(data), "TWINSPACE_PRELOAD": "0"}
    replica = HubReplica("sqlite", port, env, work / "sqlite.log")
    replica.start()
    replica.wait()
    return Setup("sqlite (1 process)", replica.url, {"sqlite": [replica.proc.pid]}, tokens, replica.stop)


def start_cluster(args: argparse.Namespace, work: Path, replicas: int) -> Setup:
    from twinspace.store.postgres import PostgresStore

    cluster = LocalCluster(work / f"cluster-{replicas}", replicas=replicas).start()
    assert cluster.postgres is not None
    store = PostgresStore(cluster.postgres.url, path=cluster.dir / "hub" / "twinspace.db")
    tokens = make_homes(store, args.homes, cluster.url)
    store.close()
    pids = {r.name: [r.proc.pid] for r in cluster.replicas}
    return Setup(f"{replicas} replica{'s' if replicas > 1 else ''}", cluster.url, pids, tokens, cluster.stop,
                 cluster)


# --- clients (worker processes) --------------------------------------------------------

def client_worker(url: str, homes: list[tuple[str, str]], per_home: int, conn: Any) -> None:
    raise_fd_limit()
    asyncio.run(_clients(url, homes, per_home, conn))


async def _clients(url: str, homes: list[tuple[str, str]], per_home: int, conn: Any) -> None:
    arrivals: dict[str, list[dict[int, float]]] = {h: [{} for _ in range(per_home)] for h, _ in homes}

    def recorder(home: str, i: int) -> Any:
        last = [0]

        def on_remote(client: SyncClient) -> None:
            version = client.doc.get("home", type=Map).get("version")
            if version is not None and version > last[0]:
                now = time.time()
                if last[0]:
                    for v in range(last[0] + 1, int(version) + 1):
                        arrivals[home][i][v] = now
                last[0] = int(version)
        return on_remote

    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    ws = url.replace("http", "ws", 1)

    async def start(home: str, token: str, i: int) -> SyncClient:
        async with gate:
            for attempt in range(5):  # a replica briefly out of the balancer during the connection storm
                try:
                    client = SyncClient(f"{ws}/api/v1/sync/{home}", token, on_remote=recorder(home, i))
                    await client.__aenter__()
                    await asyncio.wait_for(client.synced.wait(), 120)
                    return client
                except Exception:
                    if attempt == 4:
                        raise
                    await asyncio.sleep(1 + attempt)
            raise AssertionError("unreachable")

    clients = await asyncio.gather(*(start(h, t, i) for h, t in homes for i in range(per_home)))
    loop = asyncio.get_running_loop()
    conn.send("ready")
    await loop.run_in_executor(None, conn.recv)  # "stop"
    dropped = [c.close_code for c in clients if c.closed.is_set()]  # the server closed them during the run
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    conn.send((arrivals, dropped))


class Clients:
    def __init__(self, url: str, tokens: dict[str, str], per_home: int, procs: int) -> None:
        ctx = mp.get_context("spawn")
        items = sorted(tokens.items())
        self.pipes, self.workers = [], []
        self.dropped: list[Optional[int]] = []  # close codes of clients the server disconnected
        for k in range(procs):
            share = items[k::procs]
            if not share:
                continue
            mine, theirs = ctx.Pipe()
            p = ctx.Process(target=client_worker, args=(url, share, per_home, theirs), daemon=True)
            p.start()
            self.pipes.append(mine)
            self.workers.append(p)

    def ready(self, timeout: float) -> None:
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise TimeoutError(f"clients did not connect within {timeout:.0f} s")
            pipe.recv()

    def collect(self) -> dict[str, list[dict[int, float]]]:
        for pipe in self.pipes:
            pipe.send("stop")
        out: dict[str, list[dict[int, float]]] = {}
        for pipe in self.pipes:
            if pipe.poll(120):
                arrivals, dropped = pipe.recv()
                out.update(arrivals)
                self.dropped += dropped
        for p in self.workers:
            p.join(10)
            if p.is_alive():
                p.kill()
        return out


# --- writers -------------------------------------------------------------------------

def writer_worker(url: str, tokens: dict[str, str], writers: int, seconds: float, conn: Any) -> None:
    raise_fd_limit()
    asyncio.run(_write(url, tokens, writers, seconds, conn))


async def _write(url: str, tokens: dict[str, str], writers: int, seconds: float, conn: Any) -> None:
    """Writers changing their share of homes in turn for `seconds`, from the start time the
    parent sends; sends back (acked, (home, version) -> start, CPU seconds of this process)."""
    started: dict[tuple[str, int], float] = {}
    acked = [0]
    homes = sorted(tokens)
    limits = httpx.Limits(max_connections=writers, max_keepalive_connections=writers)
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        versions = {}
        for home in homes:  # each home's current version: its next change is version + 1
            reply = await http.get(f"/api/v1/homes/{home}/journal", params={"limit": 1},
                                   headers={"Authorization": f"Bearer {tokens[home]}"})
            entries = reply.json()
            versions[home] = entries[0]["version"] if entries else 1
        conn.send("ready")
        start_at = await loop.run_in_executor(None, conn.recv)
        await asyncio.sleep(max(0.0, start_at - time.time()))
        end = time.monotonic() + seconds
        cpu = time.process_time()

        async def writer(mine: list[str]) -> None:
            n = 0
            while time.monotonic() < end and mine:
                home = mine[n % len(mine)]
                n += 1
                value = (versions[home] % 100) + 1
                at = time.time()
                reply = await http.post(f"/api/v1/homes/{home}/actions/device.light",
                                        json={"args": {"device": DEVICE, "brightness": value}},
                                        headers={"Authorization": f"Bearer {tokens[home]}"})
                if reply.status_code == 200 and reply.json()["status"] == "applied":
                    versions[home] += 1
                    started[(home, versions[home])] = at
                    acked[0] += 1

        await asyncio.gather(*(writer(homes[k::writers]) for k in range(writers)))
        cpu = time.process_time() - cpu
    conn.send((acked[0], started, cpu))


def write(url: str, tokens: dict[str, str], writers: int, procs: int, seconds: float,
          pids: dict[str, list[int]]) -> tuple[int, dict[tuple[str, int], float], float, dict[str, float]]:
    """`writers` writers over `procs` processes, each owning a share of the homes; returns
    (acked, starts, writer CPU share, CPU share per replica during the phase)."""
    ctx = mp.get_context("spawn")
    items = sorted(tokens.items())
    pipes, workers = [], []
    for k in range(procs):
        share = dict(items[k::procs])
        mine, theirs = ctx.Pipe()
        p = ctx.Process(target=writer_worker, args=(url, share, max(1, writers // procs), seconds, theirs),
                        daemon=True)
        p.start()
        pipes.append(mine)
        workers.append(p)
    try:
        for pipe in pipes:
            if not pipe.poll(600):
                raise TimeoutError("the writers did not get ready within 600 s")
            pipe.recv()
        start_at = time.time() + 0.5
        for pipe in pipes:
            pipe.send(start_at)
        time.sleep(0.5)
        before = {n: cpu_seconds(p) for n, p in pids.items()}
        time.sleep(seconds)
        cpu = {n: (cpu_seconds(p) - before[n]) / seconds for n, p in pids.items()}
        acked, started, writer_cpu = 0, {}, 0.0
        for pipe in pipes:
            if not pipe.poll(120):
                raise TimeoutError("a writer did not finish")
            a, s, c = pipe.recv()
            acked, writer_cpu = acked + a, writer_cpu + c
            started.update(s)
        return acked, started, writer_cpu / seconds, cpu
    finally:
        for p in workers:
            p.join(10)
            if p.is_alive():
                p.kill()


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError):
            pass
    return total


@dataclass
class Row:
    name: str
    homes: int
    clients: int
    actions_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    delivered: float = 0.0  # share of (client, change) deliveries seen
    cpu: dict[str, float] = field(default_factory=dict)
    writer_cpu: float = 0.0  # the writers' processes, in cores: near their count, they were the limit


def measure(setup: Setup, args: argparse.Namespace) -> Row:
    row = Row(setup.name, len(setup.tokens), len(setup.tokens) * args.clients)
    clients = Clients(setup.url, setup.tokens, args.clients, args.procs)
    try:
        clients.ready(args.timeout)
        acked, started, row.writer_cpu, row.cpu = write(setup.url, setup.tokens, args.writers,
                                                         args.writer_procs, args.seconds, setup.pids)
        time.sleep(1.0)  # the last changes reach the clients
    finally:
        arrivals = clients.collect()
    row.actions_s = acked / args.seconds
    if clients.dropped:
        print(f"   {len(clients.dropped)} clients were disconnected during the run (codes "
              f"{sorted(set(map(str, clients.dropped)))})", flush=True)
    delays, expected = [], 0
    for (home, version), at in started.items():
        for seen in arrivals.get(home, []):
            expected += 1
            if version in seen:
                delays.append((seen[version] - at) * 1000)
    if delays:
        delays.sort()
        row.p50_ms = statistics.median(delays)
        row.p99_ms = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
    row.delivered = len(delays) / expected if expected else 0.0
    return row


def failovers(cluster: LocalCluster, trials: int) -> list[Any]:
    from twinspace.cluster import failover

    token = asyncio.run(failover.pair(cluster, "demo-loft"))
    return [asyncio.run(failover.trial(cluster, token, "demo-loft")) for _ in range(trials)]


def table(rows: list[Row]) -> str:
    base = rows[0].actions_s or 1
    lines = ["| set-up | homes | clients | actions/s | × sqlite | delivery p50 | p99 | delivered | CPU per replica "
             "| writers' CPU |", "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        cpu = ", ".join(f"{n} {v * 100:.0f}%" for n, v in r.cpu.items())
        lines.append(f"| {r.name} | {r.homes} | {r.clients} | {r.actions_s:.0f} | {r.actions_s / base:.2f} | "
                     f"{r.p50_ms:.0f} ms | {r.p99_ms:.0f} ms | {r.delivered * 100:.1f}% | {cpu} | "
                     f"{r.writer_cpu * 100:.0f}% |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--homes", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=5, help="live clients per home")
    parser.add_argument("--replicas", default="1,3")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--trials", type=int, default=20, help="failover trials on the largest cluster (0: none)")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--writer-procs", type=int, default=2, help="processes the writers are spread over")
    parser.add_argument("--timeout", type=float, default=600, help="bound on connecting the clients, s")
    parser.add_argument("--no-baseline", action="store_true", help="skip the single-process SQLite hub")
    args = parser.parse_args()
    raise_fd_limit()
    work = Path(tempfile.mkdtemp(prefix="twinspace-scale-"))
    work.chmod(0o711)  # PostgreSQL runs as its own user under it
    rows: list[Row] = []
    trials: list[Any] = []
    try:
        plans: list[Any] = [] if args.no_baseline else [("sqlite", 0)]
        plans += [("cluster", int(n)) for n in args.replicas.split(",") if n]
        for kind, n in plans:
            print(f"-- {kind} {n or ''}: {args.homes} homes x {args.clients} clients", flush=True)
            setup = start_sqlite(args, work) if kind == "sqlite" else start_cluster(args, work, n)
            try:
                rows.append(measure(setup, args))
                print(table(rows[-1:]), flush=True)
                if setup.cluster is not None and n == max(int(x) for x in args.replicas.split(",")) \
                        and args.trials:
                    trials = failovers(setup.cluster, args.trials)
            finally:
                setup.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(table(rows))
    if trials:
        times = sorted(t.converged_s for t in trials if t.converged_s is not None)
        print(f"\nfailover, {len(trials)} trials (owner killed with SIGKILL during writes): "
              f"acknowledged {sum(t.acked for t in trials)}, lost {sum(t.lost for t in trials)}, "
              f"converged {len(times)}/{len(trials)}, median {statistics.median(times) if times else float('nan'):.2f} s, "
              f"max {max(times) if times else float('nan'):.2f} s, ghosts after 5 s {sum(t.ghosts for t in trials)}")


if __name__ == "__main__":
    main()
