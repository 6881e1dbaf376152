"""client/src/cowatch.js under Node, against doubles of what a browser gives it: a WebSocket
that the test speaks the cowatch protocol on, and a <video> whose play() a frozen decoder
can swallow (bench/cowatch.py's stall: paused, play() resolves and does nothing)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

COWATCH = Path(__file__).resolve().parents[2] / "client" / "src" / "cowatch.js"

SCRIPT = """
import { CoWatch } from %s
const sockets = []
globalThis.WebSocket = class {
  static OPEN = 1
  constructor(url) { this.url = url; this.readyState = 1; this.sent = []; sockets.push(this); setTimeout(() => this.onopen?.(), 0) }
  send(text) { this.sent.push(JSON.parse(text)) }
  close() { this.readyState = 3 }
}
const clock = () => performance.now() / 1000
/** A <video> playing in real time; `thawAfterMs`: play() is swallowed until then (a frozen decoder). */
class Video {
  constructor(thawAfterMs) { this.paused = true; this.readyState = 4; this.seeking = false; this.playbackRate = 1; this.base = 0; this.since = clock(); this.thawAfterMs = thawAfterMs; this.frozen = thawAfterMs != null }
  get currentTime() { return this.base + (this.paused ? 0 : (clock() - this.since) * this.playbackRate) }
  set currentTime(t) { this.base = t; this.since = clock() }
  pause() { this.base = this.currentTime; this.paused = true }
  play() {
    if (this.frozen) {
      setTimeout(() => { this.frozen = false; this.since = clock(); this.paused = false }, this.thawAfterMs) // thawed: it plays on from there
      return Promise.resolve()
    }
    if (this.paused) { this.since = clock(); this.paused = false }
    return Promise.resolve()
  }
}
const video = new Video(JSON.parse(process.argv[1]))
const cw = new CoWatch('ws://hub/api/v1/cowatch/home?token=t&target=p1', video)
await new Promise((r) => setTimeout(r, 10))
const hub = sockets[0]
const hubNow = () => (performance.timeOrigin + performance.now()) / 1000
const say = (m) => hub.onmessage({ data: JSON.stringify(m) })
say({ type: 'welcome', member: 'tv#1', correction: true, hub_time: hubNow() })
const lead = cw.startLead
say({ type: 'timeline', at: hubNow(), timeline: { content: 'vod:big-wave', live: false, playing: true, position: 10, anchor: hubNow(), rate: 1 } })
await new Promise((r) => setTimeout(r, 1600)) // the landing (0.6 s ahead), then the 0.4 s look at how it started
const error = video.currentTime - (10 + (hubNow() - cw.current().anchor))
console.log(JSON.stringify({ lead, learnt: cw.startLead, playing: !video.paused, error }))
cw.close()
"""


def landing(thaw_after_ms: float | None) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is missing")
    out = subprocess.run([node, "--input-type=module", "-e", SCRIPT % json.dumps(COWATCH.as_uri()),
                          json.dumps(thaw_after_ms)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_landing_that_started_learns_its_start_lead_and_is_on_the_timeline() -> None:
    result = landing(None)
    assert result["playing"]
    assert abs(result["error"]) < 0.1, result  # landed: seek ahead, wait, play
    assert result["learnt"] <= result["lead"] + 0.05, result  # an instant start teaches no more lead


def test_a_landing_swallowed_by_a_frozen_player_teaches_nothing() -> None:
    """Frozen, play() resolved and the picture stayed; it thawed 150 ms later, 150 ms behind.
    That was the freeze, not how long play() takes: learning it made every later landing start
    150 ms early (0.8 of it), an error under the seek threshold that closes at 5 %/s."""
    result = landing(150)
    assert result["playing"]
    assert result["learnt"] == result["lead"], result
