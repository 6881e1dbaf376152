"""The demo home a fresh hub starts with: a loft with a lounge and a kitchen, two people,
six demo channels whose guide is generated around today, and a small on-demand shelf.

The home and catalogue are static files in this package; the lineup and guide are written
when the demo is created, so the guide always covers "now" and the stream URLs point at
this hub.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from lxml import etree

GUIDE_DAYS_BEFORE = 1
GUIDE_DAYS_AFTER = 6


def _package_file(name: str) -> Path:
    return Path(str(resources.files("twinspace.demo").joinpath(name)))


def schedule() -> dict:
    return json.loads(_package_file("schedule.json").read_text(encoding="utf-8"))


def write_lineup(path: Path, base_url: str) -> None:
    lines = ["#EXTM3U"]
    for ch in schedule()["channels"]:
        lines.append(f'#EXTINF:-1 tvg-id="{ch["id"]}" tvg-name="{ch["name"]}" tvg-chno="{ch["number"]}" '
                     f'group-title="{ch["group"]}",{ch["name"]}')
        lines.append(f"{base_url.rstrip('/')}/demo/live/{ch['id']}/index.m3u8")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_guide(path: Path, now: datetime) -> None:
    """XMLTV for every channel, each cycling through its shows from local midnight."""
    if now.tzinfo is None:
        now = now.astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start_day = midnight - timedelta(days=GUIDE_DAYS_BEFORE)
    end = midnight + timedelta(days=GUIDE_DAYS_AFTER + 1)
    tv = etree.Element("tv", {"generator-info-name": "twinspace-demo"})
    channels = schedule()["channels"]
    for ch in channels:
        el = etree.SubElement(tv, "channel", id=ch["id"])
        etree.SubElement(el, "display-name").text = ch["name"]
    fmt = "%Y%m%d%H%M%S %z"
    for ch in channels:
        day = start_day
        while day < end:
            t = day
            day_end = day + timedelta(days=1)
            i = 0
            while t < day_end:
                title, minutes, category, rating, desc = ch["shows"][i % len(ch["shows"])]
                stop = min(t + timedelta(minutes=minutes), day_end)
                p = etree.SubElement(tv, "programme", start=t.strftime(fmt), stop=stop.strftime(fmt), channel=ch["id"])
                etree.SubElement(p, "title", lang="en").text = title
                etree.SubElement(p, "desc", lang="en").text = desc
                etree.SubElement(p, "category", lang="en").text = category
                r = etree.SubElement(p, "rating", system="KR")
                etree.SubElement(r, "value").text = rating
                t, i = stop, i + 1
            day = day_end
    path.write_bytes(etree.tostring(tv, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def write_demo_home(directory: str | Path, now: datetime, base_url: str = "http://127.0.0.1:8080") -> Path:
    """Write the demo home directory (home.json, channels.m3u, guide.xml, vod.json)."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_package_file("home.json"), root / "home.json")
    shutil.copyfile(_package_file("vod.json"), root / "vod.json")
    write_lineup(root / "channels.m3u", base_url)
    write_guide(root / "guide.xml", now)
    return root
