"""Signed, expiring URLs for live channels: players that cannot send a token still reach
only their own home's channels.

A signature is an HMAC (the hub's key, hub_key.py) over the home, the channel and the
expiry, carried as `?home=…&exp=…&sig=…`. The content API hands these URLs out to a
device of that home; the playlist passes the same query on to its segments.
"""

from __future__ import annotations

import hmac
import time
from typing import Optional
from urllib.parse import quote, urlencode

from twinspace.errors import Forbidden, Unauthorized
from twinspace.hub_key import keyed_hash

LIVE_TTL_S = 12 * 3600  # a long evening of watching; the client fetches fresh URLs every few minutes
LIVE_PATH = "/demo/live/{channel}/index.m3u8"


def signature(key: bytes, home_id: str, channel_id: str, expires: int) -> str:
    return keyed_hash(key, "live", home_id, channel_id, str(expires))[:32]


def signed_query(key: bytes, home_id: str, channel_id: str, *, now: Optional[float] = None,
                 ttl_s: int = LIVE_TTL_S) -> str:
    expires = int((now if now is not None else time.time()) + ttl_s)
    return urlencode({"home": home_id, "exp": expires, "sig": signature(key, home_id, channel_id, expires)})


def signed_live_url(key: bytes, home_id: str, channel_id: str, **kw: float) -> str:
    return LIVE_PATH.format(channel=quote(channel_id, safe="")) + "?" + signed_query(key, home_id, channel_id, **kw)


def verify(key: bytes, home_id: str, channel_id: str, expires: str, sig: str,
           *, now: Optional[float] = None) -> None:
    """Unauthorized unless `sig` signs this home, channel and a future expiry."""
    if not expires.isdigit() or len(expires) > 12:
        raise Unauthorized("this channel link is not valid; open the channel again from the app")
    if int(expires) < (now if now is not None else time.time()):
        raise Unauthorized("this channel link expired; open the channel again from the app")
    if not hmac.compare_digest(signature(key, home_id, channel_id, int(expires)), sig):
        raise Forbidden("this channel link was not made for this channel and home")
