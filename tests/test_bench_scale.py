"""bench/scale.py's labelling of deliveries: seen, merged, late, closed, lost."""

import importlib.util
import sys
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location("bench_scale", Path(__file__).parents[1] / "bench" / "scale.py")
scale = importlib.util.module_from_spec(spec)
sys.modules["bench_scale"] = scale  # its dataclasses look their module up
spec.loader.exec_module(scale)


def row() -> "scale.Row":
    return scale.Row("t", 1, 3)


def test_a_skipped_version_is_merged_at_the_later_arrival_not_lost():
    r = row()
    # v2 started at 10.0, v3 at 10.1; the client saw v3 only (one coalesced broadcast) at 10.3
    scale.classify(r, {("h", 2): 10.0, ("h", 3): 10.1}, {"h": [{3: 10.3}]}, cutoff=20.0, closed=set())
    assert (r.expected, r.seen, r.merged, r.late, r.lost) == (2, 1, 1, 0, 0)
    assert r.p99_ms == pytest.approx(300)  # v2 timed by v3's arrival


def test_after_the_grace_is_late_never_is_lost_and_a_closed_client_is_told_apart():
    r = row()
    started = {("h", 2): 10.0, ("h", 3): 11.0}
    arrivals = {"h": [{2: 10.01, 3: 25.0}, {2: 10.02}, {}]}  # client 1 never saw v3; client 2 was closed
    scale.classify(r, started, arrivals, cutoff=20.0, closed={("h", 2)})
    assert (r.expected, r.seen, r.late, r.lost, r.closed, r.merged) == (6, 2, 1, 1, 2, 0)
    assert r.p50_ms == pytest.approx(20)  # of 10 ms, 20 ms and the late 14 s
