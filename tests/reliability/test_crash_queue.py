"""Issue 12, item 4: 50 assistant turns at once do not starve the API; beyond a device's share
of the model's queue a turn is a 429 with Retry-After."""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
import pytest

from reliability_helpers import assert_problem
from support import serving
from twinspace.server.app import create_app

pytestmark = pytest.mark.slow
# 50 turns at once from two devices: each device's share (4) is served, the rest refused at
# once. (On this shared 2-core machine a turn under load takes seconds; 50 served turns would
# make this a ten-minute test, and bench/soak.py is where long runs belong.)
DEVICES, TURNS_EACH = 2, 25
# Starvation, not speed: a queued turn once held a serving thread and /health waited 12 s.
# The 100 ms p99 target is measured by bench/soak.py; here the bound leaves room for a loaded VM.
HEALTH_P99_MS = 250
MODEL_REQUEST = "put the news on the wall to my left"


def test_fifty_turns_leave_health_and_rest_responsive(demo_hub, issue_token) -> None:
    tokens = [issue_token(f"device {i}") for i in range(DEVICES)]
    with serving(create_app(demo_hub)) as url:
        httpx.post(f"{url}/v1/assistant/turns", json={"text": "turn on the floor lamp"}, timeout=120,
                   headers={"Authorization": f"Bearer {tokens[0]}"}).raise_for_status()  # load the model

        async def run() -> tuple[list[httpx.Response], list[float], list[int]]:
            async with httpx.AsyncClient(base_url=url, timeout=300) as client:
                async def turn(token: str) -> httpx.Response:
                    # A request the template layer does not cover, so every served turn uses the model.
                    return await client.post("/v1/assistant/turns", json={"text": MODEL_REQUEST},
                                             headers={"Authorization": f"Bearer {token}"})

                pending = [asyncio.ensure_future(turn(t)) for t in tokens for _ in range(TURNS_EACH)]
                task = asyncio.ensure_future(asyncio.gather(*pending))
                # Sample once admission is over (the refusals are back): the claim is that the
                # API stays responsive while the model works through its queue. Accepting the
                # burst of 50 requests itself takes the event loop a few hundred ms on a loaded
                # 2-core machine, which is the cost of the burst, not of the model.
                refused_at_least = len(pending) - DEVICES * 4 - 1
                deadline = time.monotonic() + 60
                while (sum(1 for p in pending if p.done()) < refused_at_least and not task.done()
                       and time.monotonic() < deadline):
                    await asyncio.sleep(0.01)
                health_ms, rest = [], []
                while not task.done():
                    started = time.perf_counter()
                    assert (await client.get("/api/v1/health")).status_code == 200
                    health_ms.append((time.perf_counter() - started) * 1000)
                    r = await client.get("/api/v1/homes/demo-loft/panels", headers={"Authorization": f"Bearer {tokens[0]}"})
                    rest.append(r.status_code)
                    await asyncio.sleep(0.02)
                return await task, health_ms, rest

        answers, health_ms, rest = asyncio.run(run())
    codes = [r.status_code for r in answers]
    assert set(codes) <= {200, 429}, codes
    assert codes.count(200) >= DEVICES * 4 - 1 and codes.count(429) >= len(codes) - DEVICES * 4 - 1
    for r in answers:
        if r.status_code == 429:
            assert_problem(r, 429)
            assert int(r.headers["Retry-After"]) >= 1
    assert set(rest) == {200}
    assert len(health_ms) >= 10, "the served turns take seconds: /health was sampled while they ran"
    p99 = statistics.quantiles(health_ms, n=100, method="inclusive")[98]
    print(f"\n/health while 50 turns ran: {len(health_ms)} samples, p50 {statistics.median(health_ms):.1f} ms, "
          f"p99 {p99:.1f} ms, max {max(health_ms):.1f} ms; {codes.count(200)} turns served, {codes.count(429)} got 429")
    assert p99 <= HEALTH_P99_MS
