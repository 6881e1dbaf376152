"""Benchmark of the content catalogue on a large generated guide, each beside a plain baseline.

    .venv/bin/python bench/guide.py [--channels 1000] [--days 7] [--seed 1]

Generates an M3U lineup and an XMLTV guide (1,000 channels × 7 days ≈ 170k programmes by
default) in a temporary directory, then measures in the same run:

- import time and peak memory: the catalogue (streaming lxml, staged SQL) against
  xml.etree whole-file parsing plus one INSERT per programme; each runs in its own process
  and its peak RSS (ru_maxrss, interpreter included) is reported;
- now/next latency for one channel, and "now" over every channel: indexed seeks against a
  plain scan of the baseline table;
- search latency: FTS5 with typo handling and time ranking against LIKE '%word%'.

Targets on a 2-core machine: import ≤ 10 s at ≤ 300 MB; now/next p95 ≤ 5 ms; search p95 ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
try:
    import twinspace  # noqa: F401
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))

from twinspace.content import Catalog, Channel, Programme, format_m3u, write_xmltv  # noqa: E402

HOME = "bench"
ZONE = timezone(timedelta(hours=9))
START = datetime(2026, 11, 28, tzinfo=ZONE)
MIGRATION = ROOT / "src" / "twinspace" / "store" / "migrations" / "0002_content.sql"
GENRES = {
    "Sports": ["Football", "Baseball", "Basketball", "Tennis", "Golf", "Cycling", "Boxing", "Rugby"],
    "News": ["News", "Weather", "Business", "Politics", "World", "Markets"],
    "Kids": ["Animation", "Robots", "Dinosaurs", "Science", "Puzzles", "Pirates"],
    "Movies": ["Thriller", "Comedy", "Romance", "Western", "Mystery", "Space"],
    "Documentary": ["Ocean", "History", "Nature", "Planets", "Volcanoes", "Engineering"],
    "Lifestyle": ["Cooking", "Travel", "Gardening", "Design", "Fitness", "Fashion"],
    "Music": ["Jazz", "Classical", "Rock", "K-Pop", "Opera", "Hip-Hop"],
}
FORMS = ["Live", "Tonight", "Weekly", "Stories", "Classics", "Highlights", "Academy", "Files", "Journal", "Hour"]
PLACES = ["Seoul", "Busan", "Lisbon", "Oslo", "Lima", "Cairo", "Kyoto", "Quebec", "Nairobi", "Perth"]
DURATIONS_MIN = [30, 30, 45, 60, 60, 60, 60, 90, 120]
RATINGS = ["ALL"] * 12 + ["7", "12", "12", "15", "15", "19"]
SEARCHES = ["football", "news", "ocean", "cooking travel", "jazz", "footbal", "foot all", "robots",
            "weather seoul", "space thriller", "volcanoes", "k-pop live", "basketbal", "classical"]


# --- generating a guide ------------------------------------------------------------------

def make_guide(directory: Path, channels: int, days: int, seed: int) -> tuple[Path, Path, int]:
    rng = random.Random(seed)
    lineup = [Channel(id=f"ch{n:04d}.bench", name=f"{rng.choice(PLACES)} {genre} {n}", url=f"http://bench/{n}",
                      number=str(n), group=genre)
              for n, genre in ((n, rng.choice(list(GENRES))) for n in range(1, channels + 1))]
    m3u = directory / "channels.m3u"
    m3u.write_text(format_m3u(lineup), encoding="utf-8")
    count = 0

    def programmes() -> Iterator[Programme]:
        nonlocal count
        for channel in lineup:
            topics = GENRES[channel.group or "News"]
            shows = [f"{rng.choice(topics)} {rng.choice(FORMS)}" for _ in range(12)]
            shows = [f"{show} {rng.choice(PLACES)}" if rng.random() < .5 else show for show in shows]
            moment, end = START, START + timedelta(days=days)
            while moment < end:
                title = rng.choice(shows)
                stop = moment + timedelta(minutes=rng.choice(DURATIONS_MIN))
                topic = title.split()[0]
                description = (f"{topic} from {rng.choice(PLACES)}: episode {rng.randint(1, 300)} of the "
                               f"{rng.choice(FORMS).lower()} series.")
                count += 1
                yield Programme(
                    channel_id=channel.id, start=moment, stop=stop, title=title, titles=(("en", title),),
                    description=description, descriptions=(("en", description),),
                    categories=(topic, channel.group or ""), rating=rng.choice(RATINGS),
                    rating_system="KR", season=rng.randint(1, 9), episode=rng.randint(1, 24))
                moment = stop

    xml = directory / "guide.xml"
    with xml.open("wb") as out:
        write_xmltv(out, programmes())
    return m3u, xml, count


# --- workers (each import in its own process, so its peak memory is its own) -----------------

def open_db(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # as the store opens it
    return conn


def work_catalog(db: Path, m3u: Path, xml: Path) -> dict[str, float]:
    conn = open_db(db)
    conn.executescript(MIGRATION.read_text(encoding="utf-8"))
    rss_before = peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    catalog = Catalog(conn)
    catalog.import_lineup(HOME, m3u)
    report = catalog.import_guide(HOME, xml)
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "peak_mb": peak_rss_mb(),
            "idle_mb": rss_before, "programmes": report.programmes}


def work_baseline(db: Path, m3u: Path, xml: Path) -> dict[str, float]:
    import xml.etree.ElementTree as ET
    conn = open_db(db)
    conn.execute("CREATE TABLE programme (channel TEXT, start INTEGER, stop INTEGER, title TEXT, description TEXT, "
                 "category TEXT, rating TEXT)")
    rss_before = peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    root = ET.parse(xml).getroot()
    conn.execute("BEGIN")
    n = 0
    for p in root.iter("programme"):
        start = datetime.strptime(p.get("start", ""), "%Y%m%d%H%M%S %z")
        stop = datetime.strptime(p.get("stop", ""), "%Y%m%d%H%M%S %z")
        conn.execute("INSERT INTO programme VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (p.get("channel"), int(start.timestamp()), int(stop.timestamp()), p.findtext("title"),
                      p.findtext("desc"), p.findtext("category"), p.findtext("rating/value")))
        n += 1
    conn.execute("COMMIT")
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "peak_mb": peak_rss_mb(),
            "idle_mb": rss_before, "programmes": n}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_worker(kind: str, db: Path, m3u: Path, xml: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--worker", kind, str(db), str(m3u), str(xml)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


# --- query latency -----------------------------------------------------------------------------

def latencies(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def measure_queries(ours_db: Path, base_db: Path, channels: int, days: int, seed: int) -> dict[str, tuple]:
    rng = random.Random(seed)
    catalog = Catalog(open_db(ours_db))
    base = open_db(base_db)
    ids = [f"ch{n:04d}.bench" for n in range(1, channels + 1)]

    def moment() -> datetime:
        return START + timedelta(minutes=rng.randrange(days * 24 * 60))

    def base_now_next() -> None:
        channel, t = rng.choice(ids), int(moment().timestamp())
        base.execute("SELECT * FROM programme WHERE channel = ? AND start <= ? AND stop > ?",
                     (channel, t, t)).fetchall()
        base.execute("SELECT * FROM programme WHERE channel = ? AND start > ? ORDER BY start LIMIT 1",
                     (channel, t)).fetchall()

    def base_grid() -> None:
        t = int(moment().timestamp())
        base.execute("SELECT * FROM programme WHERE start <= ? AND stop > ?", (t, t)).fetchall()

    def base_search() -> None:
        word = f"%{rng.choice(SEARCHES)}%"
        base.execute("SELECT DISTINCT channel, title FROM programme WHERE title LIKE ? OR description LIKE ? "
                     "OR category LIKE ?", (word, word, word)).fetchall()

    return {
        "now/next, one channel": (
            latencies(lambda: catalog.now_next(HOME, moment(), channel=rng.choice(ids)), 400),
            latencies(base_now_next, 40)),
        "now, all channels": (latencies(lambda: catalog.now(HOME, moment()), 100), latencies(base_grid, 40)),
        "search": (latencies(lambda: catalog.search(HOME, rng.choice(SEARCHES), at=moment()), 300),
                   latencies(base_search, 40)),
    }


# --- report ----------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs=4, metavar=("KIND", "DB", "M3U", "XML"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, db, m3u, xml = args.worker
        work = work_catalog if kind == "catalog" else work_baseline
        print(json.dumps(work(Path(db), Path(m3u), Path(xml))))
        return

    with tempfile.TemporaryDirectory(prefix="twinspace-bench-") as tmp:
        directory = Path(tmp)
        print(f"generating {args.channels} channels × {args.days} days ...", file=sys.stderr)
        m3u, xml, count = make_guide(directory, args.channels, args.days, args.seed)
        print(f"importing {count:,} programmes ({xml.stat().st_size / 2**20:.0f} MB of XMLTV) ...", file=sys.stderr)
        ours = run_worker("catalog", directory / "catalog.db", m3u, xml)
        base = run_worker("baseline", directory / "baseline.db", m3u, xml)
        print("querying ...", file=sys.stderr)
        queries = measure_queries(directory / "catalog.db", directory / "baseline.db", args.channels, args.days,
                                  args.seed)

    rows = [
        ("import time", f"{ours['seconds']:.2f} s", f"{base['seconds']:.2f} s", ours["seconds"] / base["seconds"],
         "≤ 10 s", ours["seconds"] <= 10),
        ("import CPU time", f"{ours['cpu']:.2f} s", f"{base['cpu']:.2f} s", ours["cpu"] / base["cpu"], "", None),
        ("import peak RSS", f"{ours['peak_mb']:.0f} MB", f"{base['peak_mb']:.0f} MB", ours["peak_mb"] / base["peak_mb"],
         "≤ 300 MB", ours["peak_mb"] <= 300),
    ]
    targets = {"now/next, one channel": 5.0, "search": 20.0}
    for name, ((p50, p95), (b50, b95)) in queries.items():
        target = targets.get(name)
        rows.append((f"{name} p50", f"{p50:.2f} ms", f"{b50:.2f} ms", p50 / b50, "", None))
        rows.append((f"{name} p95", f"{p95:.2f} ms", f"{b95:.2f} ms", p95 / b95,
                     f"≤ {target:g} ms" if target else "", p95 <= target if target else None))

    print(f"\nguide: {args.channels} channels × {args.days} days = {count:,} programmes; "
          f"importer idle RSS {ours['idle_mb']:.0f} MB (interpreter + libraries, included in the peaks); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'measure':<28}{'twinspace':>12}{'baseline':>12}{'ratio':>9}   target")
    for name, mine, theirs, ratio, target, met in rows:
        verdict = "" if met is None else ("  ok" if met else "  MISSED")
        print(f"{name:<28}{mine:>12}{theirs:>12}{ratio:>8.3f}×   {target}{verdict}")
    print("ratio = twinspace / baseline (lower is better)")


if __name__ == "__main__":
    main()
