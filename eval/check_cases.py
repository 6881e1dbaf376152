"""Consistency check for eval/cases.jsonl against the homes it names.

    .venv/bin/python eval/check_cases.py [eval/cases.jsonl]

It doesn't run the assistant. It checks that the cases make sense:
- every id in a case resolves in its home: person, viewer device (owned by the person), room
  (with the viewer standing inside it), content refs, surfaces, devices, apps, and panels
  (which must be in the case's `state`);
- `at` falls inside the home's guide;
- expected content is within the viewer's rating limit (VOD rating, or the rating of the
  programme airing at `at` on a channel);
- a wall chosen by "right/left/behind/in front" in the utterance is the first wall the
  viewer's horizontal ray hits in that direction, and also the wall whose normal points
  most directly back at the viewer along that ray.
Prints the problems it finds and the case counts per home and category; exits 1 on problems.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from twinspace.content.m3u import parse_m3u
from twinspace.content.ratings import allowed
from twinspace.content.vod import parse_vod
from twinspace.content.xmltv import GuideReader
from twinspace.geometry import Viewer, dot, point_in_polygon
from twinspace.home.homefile import read_home_dir

CATEGORIES = ["open", "panel", "play", "hand", "dev", "multi", "ask", "safe"]
_SIDES = [("behind", re.compile(r"\bbehind\b")), ("front", re.compile(r"\bfront\b")),
          ("right", re.compile(r"\bright\b")), ("left", re.compile(r"\bleft\b"))]


class HomeData:
    def __init__(self, root: Path) -> None:
        self.home = read_home_dir(root).home
        self.programmes = list(GuideReader(root / "guide.xml").programmes())
        self.channels = {c.id for c in parse_m3u(root / "channels.m3u").channels}
        self.vod = {v.id: v for v in parse_vod(root / "vod.json")}
        self.apps = {a.id for a in self.home.content.apps}
        self.rooms = {r.id: r for r in self.home.rooms}
        self.surfaces = {s.id: (r, s) for r in self.home.rooms for s in r.surfaces}
        self.devices = {d.id: d for r in self.home.rooms for d in r.devices}
        self.xr = {x.id: x for x in self.home.xr_devices}
        self.people = {p.id: p for p in self.home.people}

    def airing(self, channel: str, at: datetime):
        return next((p for p in self.programmes if p.channel_id == channel and p.start <= at < p.stop), None)

    def rating(self, ref: str, at: datetime):
        kind, _, ident = ref.partition(":")
        if kind == "vod":
            return self.vod[ident].rating
        if kind == "channel":
            p = self.airing(ident, at)
            return p.rating if p else None
        return "ALL"

    def known(self, ref: str) -> bool:
        kind, _, ident = ref.partition(":")
        return {"channel": ident in self.channels, "vod": ident in self.vod, "app": ident in self.apps}.get(kind, False)


def _first_wall(room, viewer: Viewer, d):
    best = None
    for s in room.surfaces:
        if s.label != "WALL_FACE":
            continue
        w = s.size[0] / 2
        a, b = s.frame.to_world((-w, 0, 0)), s.frame.to_world((w, 0, 0))
        ex, ez = b[0] - a[0], b[2] - a[2]
        den = d[0] * ez - d[2] * ex
        if abs(den) < 1e-12:
            continue
        wx, wz = a[0] - viewer.position[0], a[2] - viewer.position[2]
        t, u = (wx * ez - wz * ex) / den, (wx * d[2] - wz * d[0]) / den
        if t > 0 and 0 <= u <= 1 and (best is None or t < best[0]):
            best = (t, s.id)
    return best[1] if best else None


def _alternatives(expect):
    if isinstance(expect, list):
        return [expect]
    if "any" in expect:
        return expect["any"]
    return []


def check(path: Path) -> int:
    problems: list[str] = []
    homes: dict[str, HomeData] = {}
    counts: Counter = Counter()
    seen: set[str] = set()
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        c = json.loads(line)
        cid = c["id"]

        def bad(msg: str) -> None:
            problems.append(f"{cid}: {msg}")

        if cid in seen:
            bad("duplicate id")
        seen.add(cid)
        key = (path.parent / c["home"]).resolve()
        if str(key) not in homes:
            homes[str(key)] = HomeData(key)
        h = homes[str(key)]
        counts[(Path(c["home"]).name, cid.split("-")[-2])] += 1
        at = datetime.fromisoformat(c["at"])
        v = c["viewer"]
        person = h.people.get(v["person"])
        if person is None:
            bad(f"unknown person {v['person']}")
            continue
        if v["device"] not in h.xr or h.xr[v["device"]].owner != v["person"]:
            bad(f"viewer device {v['device']} is not {v['person']}'s")
        room = h.rooms.get(v["room"])
        if room is None or not point_in_polygon(v["position"][0], v["position"][2], room.floor):
            bad("viewer is not inside the room")
            continue
        if any(h.airing(ch, at) is None for ch in h.channels):
            bad("`at` is outside the guide")
        state = c.get("state", {})
        panels = {p["id"]: p for p in state.get("panels", [])}
        for p in panels.values():
            if not h.known(p["content"]) or p["surface"] not in h.surfaces:
                bad(f"state panel {p['id']} does not resolve")
        for did, ds in state.get("devices", {}).items():
            if did not in h.devices or (ds.get("playing") and not h.known(ds["playing"])):
                bad(f"state device {did} does not resolve")
        if state.get("focus") and state["focus"] not in panels:
            bad("focus is not a panel in the state")
        viewer = Viewer(tuple(v["position"]), v["yaw_deg"])
        utterance = c["utterance"].lower()
        for alt in _alternatives(c["expect"]):
            for a in alt:
                args = a["args"]
                if "content" in args:
                    if not h.known(args["content"]):
                        bad(f"unknown content {args['content']}")
                    elif not allowed(h.rating(args["content"], at), person.max_rating):
                        bad(f"{args['content']} is above {person.id}'s limit")
                if "panel" in args and args["panel"] not in panels:
                    bad(f"panel {args['panel']} is not in the state")
                if "device" in args and args["device"] not in h.devices:
                    bad(f"unknown device {args['device']}")
                if "app" in args and args["app"] not in h.apps:
                    bad(f"unknown app {args['app']}")
                target = args.get("target")
                if target and target not in panels and target not in h.devices:
                    bad(f"unknown target {target}")
                if "to" in args and args["to"] not in h.devices and \
                        (args["to"] not in h.xr or h.xr[args["to"]].owner != person.id):
                    bad(f"handoff to {args['to']} is not a TV or the viewer's own device")
                surface = (args.get("placement") or {}).get("surface")
                if surface is None:
                    continue
                if surface not in h.surfaces:
                    bad(f"unknown surface {surface}")
                    continue
                s_room, s = h.surfaces[surface]
                side = next((name for name, rx in _SIDES if rx.search(utterance)), None)
                if s.label != "WALL_FACE" or side is None:
                    continue
                d = viewer.direction(side)
                hit = _first_wall(room, viewer, d)
                walls = [w for w in room.surfaces if w.label == "WALL_FACE"]
                opposite = min(walls, key=lambda w: dot(w.frame.normal, d)).id
                if s_room.id != room.id or hit != surface or opposite != surface:
                    bad(f"'{side}' wall is {hit} (ray) / {opposite} (normal), case says {surface}")
    for p in problems:
        print(p)
    names = sorted({h for h, _ in counts})
    for name in names:
        row = {k: counts[(name, k)] for k in CATEGORIES}
        print(f"{name:10} {sum(row.values()):4}  " + "  ".join(f"{k} {n}" for k, n in row.items()))
    total = {k: sum(counts[(n, k)] for n in names) for k in CATEGORIES}
    print(f"{'total':10} {sum(total.values()):4}  " + "  ".join(f"{k} {n}" for k, n in total.items()))
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("cases.jsonl"))))
