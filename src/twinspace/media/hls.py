"""The name every HLS folder the hub writes gives its playlist, live channels (live.py) and
on-demand titles (vod.py) alike; the routes serve it as `.../index.m3u8`."""

PLAYLIST = "index.m3u8"
