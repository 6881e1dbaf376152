"""Assistant benchmark: twinspace's assistant vs the same model through llama-cpp-python's
built-in `chatml-function-calling` tool calling, on the same cases.

    .venv/bin/python bench/assistant.py [CASES.jsonl] [--limit N] [--skip-baseline]

Reports accuracy, turn latency p50/p95 (utterance → actions applied) cold and warm, prompt
tokens evaluated per turn, and the process RSS with the model loaded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from twinspace.actions import registry
from twinspace.actions.registry import Caller
from twinspace.assistant.evaluation import Homes, judge, load_cases, run_cases, viewer_of
from twinspace.assistant.runtime import PROFILES, LocalModel, resolve_model
from twinspace.content.services import ContentServices
from twinspace.errors import TwinspaceError

DEFAULT_CASES = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev-cases.jsonl"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else 0.0


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def bench_twinspace(cases: list, data: Path) -> dict[str, Any]:
    path, adapter = resolve_model("smollm2-135m", data)
    t = time.perf_counter()
    model = LocalModel(path, adapter=adapter, profile=PROFILES["headset"])
    load_s = time.perf_counter() - t
    cold = run_cases(cases[:1], model, services_factory=ContentServices)  # first turn: nothing cached
    warm = run_cases(cases, model, services_factory=ContentServices)
    times = [r.seconds for r in warm.results]
    return {"system": "twinspace", "accuracy": warm.passed / len(cases), "passed": warm.passed,
            "cold_ms": cold.results[0].seconds * 1000, "p50_ms": statistics.median(times) * 1000,
            "p95_ms": pct(times, 0.95) * 1000,
            "tokens_evaluated": statistics.mean(r.evaluated_tokens for r in warm.results),
            "load_s": load_s, "rss_mb": rss_mb()}


def bench_baseline(cases: list, data: Path) -> dict[str, Any]:
    from llama_cpp import Llama

    path, _ = resolve_model("smollm2-135m", data)
    llm = Llama(model_path=str(path), chat_format="chatml-function-calling", n_ctx=8192, n_threads=2, verbose=False)
    tools = registry.tools()
    homes = Homes(ContentServices)
    times, passed, evaluated, cold = [], 0, [], None
    try:
        for case in cases:
            hub = homes.hub_for(case)
            home_id = hub.home_ids()[0]
            v = case.viewer
            caller = Caller(home_id, v.get("person"), v.get("device"), "member")
            t = time.perf_counter()
            try:
                out = llm.create_chat_completion(
                    messages=[{"role": "system", "content": "You control a smart home. Use the tools."},
                              {"role": "user", "content": case.utterance}],
                    tools=tools, tool_choice="auto", max_tokens=128, temperature=0.0)
            except ValueError as e:  # e.g. the tool schemas and the answer overflow the context
                print(f"  baseline {case.id}: failed: {e}", file=sys.stderr, flush=True)
                times.append(time.perf_counter() - t)
                continue
            emitted = []
            for call in out["choices"][0]["message"].get("tool_calls") or []:
                name = call["function"]["name"]
                try:
                    args = json.loads(call["function"]["arguments"] or "{}")
                    o = hub.apply(home_id, name, args, caller=caller, viewer=viewer_of(case), room=v.get("room"),
                                  now=case.at)
                    emitted.append({"action": o.action, "args": o.args})
                except (TwinspaceError, json.JSONDecodeError, ValueError):
                    pass
            seconds = time.perf_counter() - t
            cold = seconds if cold is None else cold
            times.append(seconds)
            evaluated.append(out["usage"]["prompt_tokens"])
            content = out["choices"][0]["message"].get("content") or ""
            passed += judge(case.expect, emitted, content)
            print(f"  baseline {case.id}: {seconds:.1f}s", file=sys.stderr, flush=True)
    finally:
        homes.close()
    return {"system": "chatml-function-calling", "accuracy": passed / len(cases), "passed": passed,
            "cold_ms": (cold or 0) * 1000, "p50_ms": statistics.median(times) * 1000,
            "p95_ms": pct(times, 0.95) * 1000, "tokens_evaluated": statistics.mean(evaluated),
            "load_s": 0.0, "rss_mb": rss_mb()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="?", type=Path, default=DEFAULT_CASES)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args()
    cases = load_cases(args.cases)[: args.limit]
    data = Path(tempfile.mkdtemp(prefix="twinspace-bench-"))
    rows = [bench_twinspace(cases, data)]
    if not args.skip_baseline:
        rows.append(bench_baseline(cases, data))
    print(f"{len(cases)} cases from {args.cases}")
    print(f"{'system':26} {'accuracy':>9} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'tok/turn':>8} {'RSS MB':>7}")
    for r in rows:
        print(f"{r['system']:26} {r['accuracy'] * 100:8.1f}% {r['cold_ms']:8.0f} {r['p50_ms']:8.0f} "
              f"{r['p95_ms']:8.0f} {r['tokens_evaluated']:8.1f} {r['rss_mb']:7.0f}")
    if len(rows) == 2 and rows[1]["p50_ms"]:
        print(f"ratio twinspace/baseline: p50 latency x{rows[0]['p50_ms'] / rows[1]['p50_ms']:.2f}, "
              f"accuracy {rows[0]['accuracy'] * 100:.0f}% vs {rows[1]['accuracy'] * 100:.0f}%")


if __name__ == "__main__":
    main()
