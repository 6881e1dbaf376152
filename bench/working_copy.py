"""The copy of a home an action runs on: the live copy against a whole copy, CPU per copy.

    .venv/bin/python bench/working_copy.py [--copies 3000] [--lights 8]

Every change the hub validates runs its action on a copy of the home (home/working_copy.py).
A whole copy rebuilds the home from its JSON (what every change did before); a live copy
gives only the live state (device states, panels, playback, seats) fresh objects and shares
the rest. Both are timed on the demo home with `--lights` more lights (as `bench/sync_fanout.py`
uses), each with the JSON dump of the state before, which the journal needs either way, and
the check that the original is unchanged, which only the live copy needs. Printed: CPU
microseconds per copy and the ratio, measured in this run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    import twinspace  # noqa: F401
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))

from twinspace.home.model import Home  # noqa: E402
from twinspace.home.working_copy import check_unchanged, live_copy, whole_copy  # noqa: E402


def bench_home(lights: int) -> Home:
    sys.path.insert(0, str(ROOT / "bench"))
    from sync_fanout import bench_home as sync_bench_home

    with tempfile.TemporaryDirectory(prefix="twinspace-bench-") as tmp:
        return sync_bench_home(Path(tmp), lights).home


def per_copy_us(copy, copies: int) -> float:  # noqa: ANN001 - a () -> None
    start = time.process_time()
    for _ in range(copies):
        copy()
    return (time.process_time() - start) / copies * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=3000)
    parser.add_argument("--lights", type=int, default=8)
    args = parser.parse_args()
    home = bench_home(args.lights)

    def whole() -> None:
        whole_copy(home.model_dump_json())

    def live() -> None:
        doc = home.model_dump_json()
        live_copy(home)
        check_unchanged(home, doc, "bench")

    whole()
    live()
    whole_us = per_copy_us(whole, args.copies)
    live_us = per_copy_us(live, args.copies)
    print(f"home: {len(home.model_dump_json())} bytes of JSON, {sum(len(r.devices) for r in home.rooms)} devices")
    print("| copy | CPU per copy | × whole |")
    print("|---|---:|---:|")
    print(f"| whole (from JSON) | {whole_us:.1f} µs | 1.00 |")
    print(f"| live (+ check) | {live_us:.1f} µs | {live_us / whole_us:.2f} |")


if __name__ == "__main__":
    main()
