"""Many homes over 1 and 3 hub replicas, with the single-process SQLite hub as the baseline.

    .venv/bin/python bench/scale.py [--homes 1000] [--clients 5] [--replicas 1,3]
                                    [--seconds 10] [--writers 32] [--trials 20] [--procs 2]
                                    [--rate 25,50,100] [--drain 10] [--gc freeze,cpython]
                                    [--replica-cpu 0.3]

For each set-up, `--homes` homes are created in its store (copies of the demo home) and
`--clients` live clients (y-websocket over pycrdt, spread over `--procs` processes) join each
home's document:

- sqlite: `twinspace up` as one process on its SQLite file, no balancer;
- N replicas: `twinspace cluster up`'s layout (cluster/local.py): PostgreSQL, Redis, HAProxy
  routing by home, N hub replicas; clients and writers go through HAProxy.

`--writers` writers (over `--writer-procs` processes) then change the homes through REST for
`--seconds` (each writer owns a share of the homes and changes them in turn, one request in
flight): this closed loop is the capacity measurement, and its delivery times are mostly
queueing. With `--rate R` (a list: one phase each, on the same set-up) the changes are paced
instead (open loop): R per second over all homes in turn, each due at a fixed time, at most
`--writers` in flight and one per home; a change sent more than 10 ms after its due time is
counted as a late send and its delivery is measured from its due time, so falling behind
shows as latency. actions/s is changes acknowledged per second; delivery is from a change's
start (paced: due time) to a client applying it, p50/p99 over every (client, change) that
arrived. Each (client, change) is labelled: seen (that version arrived), merged (the client
saw a later version of the home first: a broadcast coalesced two changes, which is not a
loss; timed by the later arrival), late (arrived after the 1 s grace that follows the last
acknowledgement), closed (missing at a client the server disconnected, e.g. a replica that
lost the home's lease, or a peer too far behind), lost (not seen, nor any later version, at a
client still connected after `--drain` more seconds).
CPU per replica is its processes' CPU seconds over the
phase's wall time (the writers' own CPU is shown too: near their process count, the load
generator was the limit). On the largest cluster `--trials` failover trials follow
(cluster/failover.py): the owner of a home with live clients is killed with SIGKILL during
writes; reported: changes lost, time from the kill until every client is current, ghosts.

Clients, writers and servers share the machine: on a small one, absolute numbers say as much
about it as about the hub; compare the rows of one run. `--replica-cpu C` gives each hub
process at most C cores (bench/cpu_budget.py), as if each replica had a machine of its own:
then the rows tell whether adding replicas adds capacity. `--gc cpython` runs the hubs with
CPython's own garbage collection instead of the hub's pacing (gc_freezer.py).
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
GC_MODES = {"freeze": {"TWINSPACE_GC_FREEZE": "1"}, "cpython": {"TWINSPACE_GC_FREEZE": "0"}}
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


def start_sqlite(args: argparse.Namespace, work: Path, gc_env: dict[str, str]) -> Setup:
    from twinspace.store.sqlite import Store

    data = work / f"sqlite-{len(list(work.glob('sqlite-*')))}"
    store = Store(data / "twinspace.db")
    port = free_port()
    tokens = make_homes(store, args.homes, f"http://127.0.0.1:{port}")
    store.close()
    env = {**os.environ, **gc_env, "TWINSPACE_DATA": str(data), "TWINSPACE_PRELOAD": "0"}
    replica = HubReplica("sqlite", port, env, data.with_suffix(".log"))
    replica.start()
    replica.wait()
    return Setup("sqlite (1 process)", replica.url, {"sqlite": [replica.proc.pid]}, tokens, replica.stop)


def start_cluster(args: argparse.Namespace, work: Path, replicas: int, gc_env: dict[str, str]) -> Setup:
    from twinspace.store.postgres import PostgresStore

    directory = work / f"cluster-{replicas}-{len(list(work.glob('cluster-*')))}"
    cluster = LocalCluster(directory, replicas=replicas, extra_env=gc_env).start()
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

    last: dict[tuple[str, int], int] = {}

    def recorder(home: str, i: int) -> Any:
        # Only versions the client actually saw: a broadcast that coalesced two changes shows
        # v7 without v6, and measure() counts v6 as delivered by merge, not as seen.
        def on_remote(client: SyncClient) -> None:
            version = client.doc.get("home", type=Map).get("version")
            if version is not None and version > last.get((home, i), 0):
                if (home, i) in last:  # not the initial sync
                    arrivals[home][i][int(version)] = time.time()
                last[(home, i)] = int(version)
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

    keys = [(h, i) for h, _ in homes for i in range(per_home)]
    clients = await asyncio.gather(*(start(h, t, i) for h, t in homes for i in range(per_home)))
    loop = asyncio.get_running_loop()
    conn.send("ready")
    final, drain = await loop.run_in_executor(None, conn.recv)  # each home's last version, bound in s
    until = time.monotonic() + drain
    while time.monotonic() < until and any(last.get(k, 0) < final.get(k[0], 0) and not c.closed.is_set()
                                           for k, c in zip(keys, clients)):
        await asyncio.sleep(0.05)  # late deliveries still arrive and are labelled late, not lost
    # the server closed them during the run: (home, index, close code)
    dropped = [(*k, c.close_code) for k, c in zip(keys, clients) if c.closed.is_set()]
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    conn.send((arrivals, dropped))


class Clients:
    def __init__(self, url: str, tokens: dict[str, str], per_home: int, procs: int) -> None:
        ctx = mp.get_context("spawn")
        items = sorted(tokens.items())
        self.pipes, self.workers = [], []
        self.dropped: list[tuple[str, int, Optional[int]]] = []  # (home, index, close code) the server closed
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

    def collect(self, final: dict[str, int], drain: float) -> dict[str, list[dict[int, float]]]:
        """Every client's arrivals (version -> time), once each has seen `final` or after `drain` s."""
        for pipe in self.pipes:
            pipe.send((final, drain))
        out: dict[str, list[dict[int, float]]] = {}
        for pipe in self.pipes:
            if pipe.poll(120 + drain):
                arrivals, dropped = pipe.recv()
                out.update(arrivals)
                self.dropped += dropped
        for p in self.workers:
            p.join(10)
            if p.is_alive():
                p.kill()
        return out


# --- writers -------------------------------------------------------------------------

@dataclass(frozen=True)
class Pace:
    """Open-loop sending: this process's `rate` changes/s, the k-th at start + (k + phase) / rate."""
    rate: float
    phase: float = 0.0


LATE_SEND_S = 0.010  # a paced change sent later than this after its time is counted as late


def writer_worker(url: str, tokens: dict[str, str], writers: int, seconds: float, pace: Optional[Pace],
                  conn: Any) -> None:
    raise_fd_limit()
    asyncio.run(_write(url, tokens, writers, seconds, pace, conn))


async def _write(url: str, tokens: dict[str, str], writers: int, seconds: float, pace: Optional[Pace],
                 conn: Any) -> None:
    """Changes to this process's share of homes for `seconds`, from the start time the parent
    sends. Closed loop (no `pace`): `writers` writers change their homes in turn, one request
    in flight each. Paced: the changes are due at fixed times (homes in turn), at most
    `writers` in flight and one per home; a change that cannot be sent on time is sent late,
    counted, and its delivery measured from its due time. Sends back (acked,
    (home, version) -> due or start time, send lags in s, CPU seconds of this process)."""
    started: dict[tuple[str, int], float] = {}
    lags: list[float] = []
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

        slots = asyncio.Semaphore(writers)
        one_per_home = {home: asyncio.Lock() for home in homes}  # versions[home] + 1 is the next version

        async def change(home: str, due: Optional[float] = None) -> None:
            async with slots, one_per_home[home]:
                at = time.time()
                if due is not None:
                    lags.append(at - due)
                    at = due  # a late send is late delivery too, not hidden
                value = (versions[home] % 100) + 1
                reply = await http.post(f"/api/v1/homes/{home}/actions/device.light",
                                        json={"args": {"device": DEVICE, "brightness": value}},
                                        headers={"Authorization": f"Bearer {tokens[home]}"})
                if reply.status_code == 200 and reply.json()["status"] == "applied":
                    versions[home] += 1
                    started[(home, versions[home])] = at
                    acked[0] += 1

        async def writer(mine: list[str]) -> None:
            n = 0
            while time.monotonic() < end and mine:
                n += 1
                await change(mine[(n - 1) % len(mine)])

        async def paced(rate: float, phase: float) -> None:
            t0, sent = start_at, []
            for k in range(int(seconds * rate)):
                due = t0 + (k + phase) / rate
                await asyncio.sleep(max(0.0, due - time.time()))
                sent.append(asyncio.create_task(change(homes[k % len(homes)], due)))
            await asyncio.gather(*sent)

        if pace is None:
            await asyncio.gather(*(writer(homes[k::writers]) for k in range(writers)))
        elif homes:
            await paced(pace.rate, pace.phase)
        cpu = time.process_time() - cpu
    conn.send((acked[0], started, lags, cpu))


@dataclass
class Written:
    acked: int
    started: dict[tuple[str, int], float]  # (home, version) -> when the change started (or was due)
    lags: list[float]  # paced: how late each change was sent, s
    writer_cpu: float  # the writers' processes, in cores
    cpu: dict[str, float]  # replica -> cores during the phase


def write(url: str, tokens: dict[str, str], writers: int, procs: int, seconds: float,
          pids: dict[str, list[int]], rate: Optional[float] = None) -> Written:
    """`writers` writers (or paced: `rate` changes/s) over `procs` processes, each owning a
    share of the homes."""
    ctx = mp.get_context("spawn")
    items = sorted(tokens.items())
    pipes, workers = [], []
    for k in range(procs):
        share = dict(items[k::procs])
        mine, theirs = ctx.Pipe()
        pace = Pace(rate * len(share) / len(items), k / procs) if rate else None
        p = ctx.Process(target=writer_worker,
                        args=(url, share, max(1, writers // procs), seconds, pace, theirs), daemon=True)
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
        out = Written(0, {}, [], 0.0, cpu)
        for pipe in pipes:
            if not pipe.poll(120):
                raise TimeoutError("a writer did not finish")
            a, s, lags, c = pipe.recv()
            out.acked, out.writer_cpu = out.acked + a, out.writer_cpu + c / seconds
            out.started.update(s)
            out.lags += lags
        return out
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


GRACE_S = 1.0  # after the last acknowledgement; a delivery after it is counted as late


@dataclass
class Row:
    name: str
    homes: int
    clients: int
    offered: Optional[float] = None  # paced: changes/s asked for; None: closed loop
    actions_s: float = 0.0
    late_sends: int = 0  # paced: changes sent more than LATE_SEND_S after their due time
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    # Every (client, change) is one of: seen (its version arrived), merged (the client saw a
    # later version first: a coalesced broadcast, not a loss; timed by that arrival), late
    # (seen or merged after GRACE_S), closed (missing at a client the server disconnected),
    # lost (neither within --drain s at a client still connected).
    expected: int = 0
    seen: int = 0
    merged: int = 0
    late: int = 0
    closed: int = 0
    lost: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    writer_cpu: float = 0.0  # the writers' processes, in cores: near their count, they were the limit


def classify(row: Row, started: dict[tuple[str, int], float], arrivals: dict[str, list[dict[int, float]]],
             cutoff: float, closed: set[tuple[str, int]]) -> None:
    """Sort every (client, change) into seen / merged / late / closed / lost; delivery p50/p99
    over all that arrived (merged ones at the later version's arrival)."""
    delays = []
    for (home, version), at in started.items():
        for i, seen in enumerate(arrivals.get(home, [])):
            row.expected += 1
            later = [v for v in seen if v >= version]
            if not later:
                if (home, i) in closed:
                    row.closed += 1
                else:
                    row.lost += 1
                continue
            arrived = seen[min(later)]
            delays.append((arrived - at) * 1000)
            if arrived > cutoff:
                row.late += 1
            elif version in seen:
                row.seen += 1
            else:
                row.merged += 1
    if delays:
        delays.sort()
        row.p50_ms = statistics.median(delays)
        row.p99_ms = delays[min(len(delays) - 1, int(len(delays) * 0.99))]


def measure(setup: Setup, args: argparse.Namespace, rate: Optional[float] = None) -> Row:
    row = Row(setup.name, len(setup.tokens), len(setup.tokens) * args.clients, offered=rate)
    clients = Clients(setup.url, setup.tokens, args.clients, args.procs)
    final: dict[str, int] = {}
    try:
        clients.ready(args.timeout)
        w = write(setup.url, setup.tokens, args.writers, args.writer_procs, args.seconds, setup.pids, rate)
        cutoff = time.time() + GRACE_S
        for home, version in w.started:
            final[home] = max(final.get(home, 0), version)
    finally:
        arrivals = clients.collect(final, args.drain)
    row.actions_s, row.writer_cpu, row.cpu = w.acked / args.seconds, w.writer_cpu, w.cpu
    row.late_sends = sum(lag > LATE_SEND_S for lag in w.lags)
    if clients.dropped:
        print(f"   {len(clients.dropped)} clients were disconnected during the run (codes "
              f"{sorted({str(code) for _, _, code in clients.dropped})})", flush=True)
    classify(row, w.started, arrivals, cutoff, {(h, i) for h, i, _ in clients.dropped})
    return row


def failovers(cluster: LocalCluster, trials: int) -> list[Any]:
    from twinspace.cluster import failover

    token = asyncio.run(failover.pair(cluster, "demo-loft"))
    return [asyncio.run(failover.trial(cluster, token, "demo-loft")) for _ in range(trials)]


def table(rows: list[Row], everything: Optional[list[Row]] = None) -> str:
    """Markdown rows; × sqlite against the first row of `everything` (default: `rows`) at the same offered rate."""
    def baseline(r: Row) -> float:
        return next((b.actions_s for b in everything or rows if b.offered == r.offered), 0.0) or 1.0
    lines = ["| set-up | homes | clients | offered/s | actions/s | × sqlite | late sends | delivery p50 | p99 "
             "| seen | merged | late (> 1 s) | closed | lost | CPU per replica | writers' CPU |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]

    def share(n: int, r: Row) -> str:
        return f"{n * 100 / r.expected:.2f}%" if r.expected else "-"
    for r in rows:
        cpu = ", ".join(f"{n} {v * 100:.0f}%" for n, v in r.cpu.items())
        offered = "closed loop" if r.offered is None else f"{r.offered:g}"
        late_sends = "-" if r.offered is None else str(r.late_sends)
        lines.append(f"| {r.name} | {r.homes} | {r.clients} | {offered} | {r.actions_s:.1f} | "
                     f"{r.actions_s / baseline(r):.2f} | {late_sends} | {r.p50_ms:.0f} ms | {r.p99_ms:.0f} ms | "
                     f"{share(r.seen, r)} | {share(r.merged, r)} | {share(r.late, r)} | {r.closed} | {r.lost} | {cpu} | "
                     f"{r.writer_cpu * 100:.0f}% |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--homes", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=5, help="live clients per home")
    parser.add_argument("--replicas", default="1,3")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--writers", type=int, default=32,
                        help="closed loop: writers, one request in flight each; paced: bound on requests in flight")
    parser.add_argument("--rate", default="",
                        help="paced (open loop): changes/s over all homes, e.g. 25,50,100 (one phase each); "
                             "'closed' in the list, or no --rate: the closed loop, the capacity measurement")
    parser.add_argument("--drain", type=float, default=10,
                        help="after the grace, how long clients may still catch up before a change counts as lost, s")
    parser.add_argument("--trials", type=int, default=20, help="failover trials on the largest cluster (0: none)")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--writer-procs", type=int, default=2, help="processes the writers are spread over")
    parser.add_argument("--timeout", type=float, default=600, help="bound on connecting the clients, s")
    parser.add_argument("--no-baseline", action="store_true", help="skip the single-process SQLite hub")
    parser.add_argument("--replica-cpu", type=float, default=0,
                        help="cores each hub process may use (a cgroup quota, as if each had a machine that size; "
                             "needs root); 0: no limit")
    parser.add_argument("--gc", default="freeze",
                        help="the hub processes' garbage collection, a list (each set-up once per entry): "
                             "freeze (the hub's default, gc_freezer.py) or cpython (TWINSPACE_GC_FREEZE=0)")
    args = parser.parse_args()
    import cpu_budget  # bench/ is on the path when this file runs as a script
    if args.trials and max((int(n) for n in args.replicas.split(",") if n), default=0) < 2:
        parser.error("failover trials need a cluster of at least 2 replicas (--replicas); or pass --trials 0")
    raise_fd_limit()
    work = Path(tempfile.mkdtemp(prefix="twinspace-scale-"))
    work.chmod(0o711)  # PostgreSQL runs as its own user under it
    rows: list[Row] = []
    trials: list[Any] = []
    rates: list[Optional[float]] = [None if r == "closed" else float(r) for r in args.rate.split(",") if r] or [None]
    try:
        plans: list[Any] = [] if args.no_baseline else [("sqlite", 0)]
        plans += [("cluster", int(n)) for n in args.replicas.split(",") if n]
        modes = [m for m in args.gc.split(",") if m]
        if set(modes) - set(GC_MODES):
            parser.error(f"--gc takes {' or '.join(GC_MODES)}, not {args.gc!r}")
        for (kind, n), mode in [(plan, mode) for plan in plans for mode in modes]:
            print(f"-- {kind} {n or ''}, gc {mode}: {args.homes} homes x {args.clients} clients", flush=True)
            gc_env = GC_MODES[mode]
            setup = start_sqlite(args, work, gc_env) if kind == "sqlite" else start_cluster(args, work, n, gc_env)
            if len(modes) > 1:
                setup.name += f", gc {mode}"
            budget = cpu_budget.CpuBudget(args.replica_cpu) if args.replica_cpu else None
            try:
                if budget:
                    for pid in [p for pids in setup.pids.values() for p in pids]:
                        budget.limit(pid)
                    setup.name += f", {args.replica_cpu:g} core each"
                for rate in rates:
                    rows.append(measure(setup, args, rate))
                    print(table(rows[-1:], rows), flush=True)
                if setup.cluster is not None and n == max(int(x) for x in args.replicas.split(",")) \
                        and args.trials:
                    trials = failovers(setup.cluster, args.trials)
            finally:
                setup.stop()
                if budget:
                    budget.close()
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
