"""Watching together: N headless Chromium players (hls.js + client/src/cowatch.js) in one watch group.

For a demo channel (live, aligned on EXT-X-PROGRAM-DATE-TIME) and an on-demand title, with the
hub's correction on and, as the baseline in the same run, off (players start where the hub says
on arrival and are never corrected): the drift between members (p50, p95, max of the spread
between the earliest and latest player, every 100 ms) after everyone joined, after a seek
(on demand only: live TV is not seekable), and after one member freezes for 3 s; the time until
the spread stays within 100 ms; how long the others were held up by the stall.

Drift is measured on the machine's one clock from what each page logged it had on screen, not
from the players' own offset estimates.

    .venv/bin/python bench/cowatch.py --players 2,4,8 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "cowatch"))

from players import (CHROMIUM, CHROMIUM_ARGS, Player, converged_after, open_player,  # noqa: E402
                     spread_series, stats)
from playwright.sync_api import Browser, sync_playwright  # noqa: E402
from support import serving  # noqa: E402

from twinspace import access  # noqa: E402
from twinspace.actions.registry import Caller  # noqa: E402
from twinspace.demo import write_demo_home  # noqa: E402
from twinspace.home.homefile import read_home_dir  # noqa: E402
from twinspace.hub import Hub  # noqa: E402
from twinspace.server.app import create_app  # noqa: E402
from twinspace.store.sqlite import Store  # noqa: E402
from twinspace.media.vod import VodOptions  # noqa: E402

HOME = "demo-loft"
OWNER = Caller(HOME, "alex", "quest-alex", "owner")
SETTLE_S = 2.0  # the target: settled within 2 s of a join or seek
WINDOW_S = 4.0  # measured over this long once settled


def measure(players: list[Player], since: float, start: float, end: float) -> dict[str, Any]:
    logs = [p.samples(since) for p in players]
    series = spread_series(logs, start, end)
    settled = [s for t, s in series if t >= start + SETTLE_S]
    return {**stats(settled), "converged_s": converged_after(series, start)}


def scenario(browser: Browser, hub: Hub, app: Any, url: str, content: str, n: int, correction: bool) -> dict[str, Any]:
    app.state.cowatch.correction = correction
    live = content.startswith("channel:")
    opened = hub.apply(HOME, "panel.open", {"content": content, "placement": {"surface": "WALL_FACE"}},
                       caller=OWNER, room="lounge")
    panel = opened.result["panel"]["id"]
    targets = [panel]
    if not live:  # on demand: the panel and the TV as one watch group, players spread over both
        hub.apply(HOME, "cowatch.start", {"target": panel, "with": ["tv-lounge"]}, caller=OWNER)
        targets.append("tv-lounge")
    token = access.issue_token(hub.store, HOME, "alex", "bench").token
    src = (f"/demo/live/arena.demo/index.m3u8?token={token}" if live  # live playlists need a token too
           else f"/media/vod/big-wave/index.m3u8?token={token}")
    ws = url.replace("http", "ws") + "/api/v1/cowatch/" + HOME + "?token={}&target={}"
    players: list[Player] = []
    result: dict[str, Any] = {"content": content, "players": n, "correction": correction}
    try:
        began = time.time()
        for i in range(n):
            players.append(open_player(browser, url, src, ws.format(token, targets[i % len(targets)])))
        joined = time.time()
        result["open_s"] = round(joined - began, 2)
        time.sleep(SETTLE_S + WINDOW_S + (4.0 if live else 2.0))  # live needs its first segments
        result["join"] = measure(players, began, joined + (2.0 if live else 0.0), time.time())
        if not live:
            sought = time.time()
            hub.apply(HOME, "playback.seek", {"target": targets[0], "position_s": 60}, caller=OWNER)
            time.sleep(SETTLE_S + WINDOW_S)
            result["seek"] = measure(players, sought - 1, sought, time.time())
        stalled = time.time()
        players[0].stall(3000)
        time.sleep(3.0)
        # from when the stalled page played again, not from when this process thinks it did: on a
        # loaded machine its timer fires late, and the settle window would start before the thaw
        freed = players[0].thawed_at()
        others = [p.samples(stalled - 1) for p in players[1:]]
        # how far the others fell behind real time while one member was frozen (0: not held up)
        held = [max(0.0, (log[-1][0] - stalled) - (log[-1][1] - _pos_at(log, stalled)))
                for log in others if log and _pos_at(log, stalled) is not None]
        result["stall_others_held_s"] = round(max(held), 3) if held else None
        if len(players) > 2:
            result["stall_others"] = stats([s for _, s in spread_series(others, stalled + 0.2, freed - 0.3)])
        time.sleep(SETTLE_S + WINDOW_S)
        result["after_stall"] = measure(players, stalled - 1, freed, time.time())
        clocks = [p.clock() for p in players]  # one machine: the offset each estimated is its error
        result["clock_error_ms"] = round(1000 * max(abs(o) for o, _ in clocks), 1)
        result["round_trip_ms"] = round(1000 * max(t for _, t in clocks), 1)
        result["errors"] = sorted({e for p in players for e in p.errors() if not e.startswith("cowatch: ")})
    finally:
        for p in players:
            p.close()
        hub.apply(HOME, "panel.close", {"panel": panel}, caller=OWNER)
    return result


def _pos_at(log: list[tuple[float, float]], t: float) -> float | None:
    """Where a player was at `t`: its last sample before then, played on at normal speed."""
    before = [(when, p) for when, p in log if when <= t]
    return before[-1][1] + (t - before[-1][0]) if before else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", default="2,4,8", help="comma-separated group sizes")
    parser.add_argument("--content", default="vod:big-wave,channel:arena.demo")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    sizes = [int(x) for x in args.players.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="twinspace-cowatch-") as tmp:
        root = Path(tmp)
        store = Store(root / "data" / "twinspace.db")
        hub = Hub(store)
        hub.import_bundle(read_home_dir(write_demo_home(root / "home", datetime.now(timezone.utc))))
        app = create_app(hub)
        app.state.media.vod.options = VodOptions(demo_clip_s=180)
        with serving(app) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for content in args.content.split(","):
                    for n in sizes:
                        for correction in (True, False):
                            r = scenario(browser, hub, app, url, content, n, correction)
                            print(json.dumps(r), flush=True)
                            results.append(r)
            finally:
                browser.close()
        store.close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
