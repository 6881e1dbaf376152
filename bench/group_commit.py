"""Group commit: one home's durable changes per second with 1..N concurrent writers.

    .venv/bin/python bench/group_commit.py [--writers 1,4,16,64] [--changes 400]

Each writer is a thread calling `Hub.apply` (`device.light`, validated, committed to SQLite
with synchronous=FULL and published) one change after another on the demo home. With one
writer every change is its own commit and fsync; this is also what any number of writers
got before group commits, when a home's commit held its lock (the baseline). With more
writers, the changes arriving during a commit share the next one. Printed: changes/s,
changes per commit, and the ratio to one writer, all in this run on this machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import twinspace  # noqa: F401
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))

from twinspace.actions.registry import Caller  # noqa: E402
from twinspace.demo import write_demo_home  # noqa: E402
from twinspace.home.homefile import read_home_dir  # noqa: E402
from twinspace.hub import Hub  # noqa: E402
from twinspace.store.sqlite import Store, utcnow  # noqa: E402

HOME = "demo-loft"
LIGHTS = ("lamp-floor", "light-ceiling", "light-pendant")


def run(writers: int, changes: int) -> tuple[float, float]:
    """(changes/s, changes per commit) for `writers` threads making `changes` changes in all."""
    with tempfile.TemporaryDirectory(prefix="twinspace-bench-") as tmp:
        store = Store(Path(tmp) / "twinspace.db")
        hub = Hub(store)
        hub.import_bundle(read_home_dir(write_demo_home(Path(tmp) / "home", utcnow())))
        owner = Caller(home_id=HOME, person="alex", role="owner")
        each = max(1, changes // writers)
        start = threading.Barrier(writers + 1)

        def writer(w: int) -> None:
            start.wait()
            for i in range(each):  # alternate two levels: every change changes something
                hub.apply(HOME, "device.light", {"device": LIGHTS[w % 3], "brightness": 10 + (i % 2) * 50 + w % 40},
                          caller=owner)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
        for t in threads:
            t.start()
        start.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        line = hub.line(HOME)
        rate, per_group = line.changes / elapsed, line.changes / max(1, line.groups)
        store.close()
        return rate, per_group


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", default="1,4,16,64")
    parser.add_argument("--changes", type=int, default=400)
    args = parser.parse_args()
    rows, base = [], None
    for n in (int(x) for x in args.writers.split(",")):
        rate, per_group = run(n, args.changes)
        base = base or rate
        rows.append(f"| {n} | {rate:.0f} | {per_group:.1f} | {rate / base:.2f}× |")
        print(f"  writers {n:3}: {rate:6.0f} changes/s, {per_group:5.1f} changes per commit", flush=True)
    print("\n| writers | changes/s | changes per commit | vs 1 writer |\n|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
