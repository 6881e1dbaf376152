"""Soak: sync clients, assistant turns and a writer at once, for a fixed time.

    .venv/bin/python bench/soak.py [--clients 200] [--turns 50] [--devices 10] [--seconds 60] [--rate 5]

The hub runs as bench/sync_fanout.py runs it (its own process, uvicorn defaults, the demo
home). `--clients` pycrdt sync clients join the home's document; a writer changes a light
through REST `--rate` times a second; `--turns` assistant turns are kept in flight all the
time, spread over `--devices` paired devices (a device's share of the model's queue is 4,
so the rest are answered 429 at once, which is counted apart from errors); `/health` is
asked every 50 ms. Everything stops after `--seconds` (and the whole run is bounded by
twice that plus the clients' start).

Reports: errors (any 5xx, failed request or lost delivery), delivery p50/p99 from the
writer's change to each client, `/health` latency p50/p99/max under the load (target p99 ≤
100 ms with 50 turns and 200 clients), turns answered and refused, and the hub's RSS at
the start and end (its growth).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sync_fanout as fanout  # noqa: E402  (its hub process, clients and writer)

import httpx  # noqa: E402
import psutil  # noqa: E402

from twinspace import access  # noqa: E402
from twinspace.store.sqlite import Store  # noqa: E402

TURN = "order me a pizza"  # the assistant declines: model work without changing the home


def quantiles(samples: list[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return (samples[0], samples[0]) if samples else (float("nan"), float("nan"))
    q = statistics.quantiles(samples, n=100)
    return q[49], q[98]


async def soak(args: argparse.Namespace, data: Path) -> dict:
    server = fanout.start_hub(data)
    hub = psutil.Process(server.proc.pid)
    store = Store(data / "twinspace.db")
    tokens = [access.issue_token(store, fanout.HOME, "alex", f"soak {i}").token for i in range(args.devices)]
    store.close()
    base = server.http.rsplit("/api/v1", 1)[0]
    errors: list[str] = []
    counts = {"turns": 0, "refused": 0}
    health_ms: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            r = await http.post("/v1/assistant/turns", json={"text": TURN},
                                headers={"Authorization": f"Bearer {tokens[0]}"})
            r.raise_for_status()  # the model is loaded before the clock starts
            rss_start = hub.memory_info().rss / 2**20
            writer = fanout.HubWriter(server)
            async with fanout.clients(server.url, args.clients, args.procs) as collected:
                start = await writer.version()
                sent: dict[int, float] = {}
                stop_at = time.monotonic() + args.seconds

                async def write() -> None:
                    while time.monotonic() < stop_at:
                        sent[start + len(sent) + 1] = time.monotonic()
                        try:
                            await writer.change()
                        except httpx.HTTPError as e:
                            errors.append(f"writer: {e}")
                        await asyncio.sleep(1 / args.rate)

                async def turns(i: int) -> None:
                    auth = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
                    while time.monotonic() < stop_at:
                        try:
                            r = await http.post("/v1/assistant/turns", json={"text": TURN}, headers=auth)
                        except httpx.HTTPError as e:
                            errors.append(f"turn: {e!r}")
                            continue
                        if r.status_code == 429:
                            counts["refused"] += 1
                            await asyncio.sleep(min(5.0, float(r.headers.get("Retry-After", 1))))
                        elif r.status_code >= 400:
                            errors.append(f"turn: {r.status_code} {r.text[:100]}")
                        else:
                            counts["turns"] += 1

                async def health() -> None:
                    while time.monotonic() < stop_at:
                        t = time.perf_counter()
                        r = await http.get("/api/v1/health")
                        health_ms.append((time.perf_counter() - t) * 1000)
                        if r.status_code != 200:
                            errors.append(f"health: {r.status_code}")
                        await asyncio.sleep(0.05)

                await asyncio.wait_for(asyncio.gather(write(), health(), *(turns(i) for i in range(args.turns))),
                                       args.seconds * 2 + 60)
                await asyncio.sleep(2.0)  # the last deliveries land
            await writer.close()
            rss_end = hub.memory_info().rss / 2**20
    finally:
        server.stop()
    delivery, lost = [], 0
    for arrivals in collected:
        for version, at in sent.items():
            if version in arrivals:
                delivery.append((arrivals[version] - at) * 1000)
            else:
                lost += 1
    return {"errors": errors, "lost": lost, "delivery": quantiles(delivery), "deliveries": len(delivery),
            "changes": len(sent), "health": (*quantiles(health_ms), max(health_ms, default=float("nan"))),
            "health_samples": len(health_ms), **counts, "rss": (rss_start, rss_end)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--turns", type=int, default=50, help="assistant turns kept in flight")
    parser.add_argument("--devices", type=int, default=10, help="paired devices the turns come from")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=5.0, help="writer changes per second")
    parser.add_argument("--procs", type=int, default=2, help="processes the sync clients run in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="twinspace-soak-") as tmp:
        r = asyncio.run(soak(args, Path(tmp)))
    print(f"soak: {args.clients} sync clients, {args.turns} turns in flight from {args.devices} devices, "
          f"a writer at {args.rate}/s, {args.seconds:.0f} s")
    print(f"  errors: {len(r['errors'])} (+ {r['lost']} lost deliveries)" +
          "".join(f"\n    {e}" for e in r["errors"][:10]))
    print(f"  delivery of {r['changes']} changes to every client: p50 {r['delivery'][0]:.1f} ms, "
          f"p99 {r['delivery'][1]:.1f} ms ({r['deliveries']} deliveries)")
    print(f"  /health under load: p50 {r['health'][0]:.1f} ms, p99 {r['health'][1]:.1f} ms, "
          f"max {r['health'][2]:.1f} ms ({r['health_samples']} samples; target p99 <= 100 ms)")
    print(f"  turns answered {r['turns']}, refused with 429 {r['refused']}")
    print(f"  hub RSS {r['rss'][0]:.0f} MB -> {r['rss'][1]:.0f} MB ({r['rss'][1] - r['rss'][0]:+.0f} MB)")
    sys.exit(1 if r["errors"] or r["lost"] else 0)


if __name__ == "__main__":
    main()
