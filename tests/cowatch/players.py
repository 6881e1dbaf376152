"""Headless Chromium players in a watch group, for the end-to-end test and bench/cowatch.py.

Each player is its own browser context (a device) running hls.js and the client's own
client/src/cowatch.js on a page Playwright serves on the hub's origin. Drift is measured
from what each page logged it had on screen against the machine's one clock (every
Chromium here shares it), independently of the offsets the players estimated.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from media.media_helpers import hls_js  # tests/ is on the path: the media tests' own copy of hls.js
from playwright.sync_api import Browser, Page
from support import CHROMIUM  # noqa: F401  (bench/cowatch.py imports it from here)

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--autoplay-policy=no-user-gesture-required", "--disable-background-timer-throttling",
                 "--disable-renderer-backgrounding"]
COWATCH_JS = REPO / "client" / "src" / "cowatch.js"

PAGE = """<body style="margin:0;background:#000"><video id="v" muted playsinline width="320" height="180"></video>"""
# Set up after hls.js and cowatch.js are in the page (no Playwright routes: a routed page's WebSocket fails).
SETUP = """
window.errors = []
window.start = (src, ws) => {
  const v = document.getElementById('v')
  const hls = new Hls({ liveSyncDurationCount: 3, maxBufferLength: 20 })
  hls.on(Hls.Events.ERROR, (_, d) => { if (d.fatal) window.errors.push(d.type + ': ' + d.details) })
  hls.loadSource(src)
  hls.attachMedia(v)
  window.cw = new window.CoWatch(ws, v, { hls, onState: (s) => window.errors.push('cowatch: ' + JSON.stringify(s)) })
}
// A player that freezes for `ms` (a decoder or buffer stall): paused, and play() does nothing.
// thawedAt: when it played again, on the clock of the logs (a loaded page's timer fires late).
window.thawedAt = null
window.stall = (ms) => {
  const v = document.getElementById('v')
  const play = v.play
  window.thawedAt = null
  v.play = () => Promise.resolve()
  v.pause()
  setTimeout(() => {
    v.play = play
    window.thawedAt = (performance.timeOrigin + performance.now()) / 1000
    v.play().catch(() => {})
  }, ms)
}
window.samples = (since) => window.cw ? window.cw.log.filter(([t]) => t >= since) : []
"""


@dataclass
class Player:
    page: Page

    def close(self) -> None:
        self.page.context.close()

    def samples(self, since: float) -> list[tuple[float, float]]:
        return [(float(t), float(p)) for t, p in self.page.evaluate("(s) => window.samples(s)", since)]

    def stall(self, ms: int) -> None:
        self.page.evaluate("(ms) => window.stall(ms)", ms)

    def thawed_at(self, timeout_s: float = 10.0) -> float:
        """When the last stall ended (wall-clock seconds, the logs' clock), waiting for it."""
        self.page.wait_for_function("window.thawedAt !== null", timeout=timeout_s * 1000)
        return float(self.page.evaluate("window.thawedAt"))

    def clock(self) -> tuple[float, float]:
        """The player's estimate of the hub's clock: (offset, round trip) in seconds. Hub and
        players share this machine's clock, so the offset is the estimate's own error."""
        offset, trip = self.page.evaluate("window.cw ? [window.cw.offset, window.cw.roundTrip] : [0, 0]")
        return float(offset), float(trip or 0.0)

    def errors(self) -> list[str]:
        return self.page.evaluate("window.errors")


def open_player(browser: Browser, hub_url: str, src: str, ws_url: str) -> Player:
    context = browser.new_context(viewport={"width": 320, "height": 180})
    page = context.new_page()
    page.goto(f"{hub_url}/api/v1/health")  # the hub's origin, for the relative media URLs
    page.set_content(PAGE)
    page.add_script_tag(path=str(hls_js()))
    page.add_script_tag(content=COWATCH_JS.read_text(encoding="utf-8") + "\nwindow.CoWatch = CoWatch\n", type="module")
    page.add_script_tag(content=SETUP)
    page.wait_for_function("typeof window.CoWatch === 'function'")
    page.evaluate("([src, ws]) => window.start(src, ws)", [src, ws_url])
    return Player(page)


def _at(samples: list[tuple[float, float]], t: float) -> Optional[float]:
    """A player's position at wall time `t`, between two of its samples (None outside them, or
    across a jump or a pause: the samples must advance like playback does)."""
    times = [s[0] for s in samples]
    i = bisect.bisect_right(times, t)
    if i == 0 or i >= len(samples):
        return None
    (t1, p1), (t2, p2) = samples[i - 1], samples[i]
    if t2 - t1 > 1.0 or not 0.8 < (p2 - p1) / (t2 - t1) < 1.2:
        return None
    return p1 + (p2 - p1) * (t - t1) / (t2 - t1)


def spread_series(logs: list[list[tuple[float, float]]], start: float, end: float, step: float = 0.1,
                  ) -> list[tuple[float, float]]:
    """(time, spread) every `step` s of [start, end] at the moments every player was playing; the
    spread is the latest player's position minus the earliest's, in seconds."""
    out = []
    t = start
    while t <= end:
        here = [_at(log, t) for log in logs]
        if all(p is not None for p in here):
            out.append((t, max(here) - min(here)))  # type: ignore[type-var]
        t += step
    return out


def spreads(logs: list[list[tuple[float, float]]], start: float, end: float, step: float = 0.1) -> list[float]:
    return [s for _, s in spread_series(logs, start, end, step)]


def converged_after(series: list[tuple[float, float]], start: float, limit: float = 0.1) -> Optional[float]:
    """Seconds from `start` until the spread stayed within `limit` for the rest of the series."""
    if not series or series[-1][1] > limit:
        return None
    t = series[0][0]
    for when, spread in series:
        if spread > limit:
            t = when
    return max(0.0, t - start)


def stats(values: list[float]) -> dict[str, Any]:
    """p50, p95, max in milliseconds."""
    if not values:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    s = sorted(values)
    pick = lambda q: round(1000 * s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))], 1)  # noqa: E731
    return {"n": len(s), "p50_ms": pick(0.5), "p95_ms": pick(0.95), "max_ms": round(1000 * s[-1], 1)}
