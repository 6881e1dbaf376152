"""Pairing links and QR codes (segno: a well-kept pure-Python encoder).

A pairing link is the hub's HTTPS origin with the one-time code in the fragment,
`https://hub.local:8443/#pair=ABCD-EFGH`: browsers never send the fragment to the server,
so the code is not in any request line or access log; the client reads it, pairs and
removes it from the address bar.
"""

from __future__ import annotations

from typing import TextIO

import segno


def pairing_link(origin: str, code: str) -> str:
    return f"{origin.rstrip('/')}/#pair={code}"


def svg(text: str, scale: int = 6) -> str:
    """An inline SVG (no XML declaration), dark on light, with the standard quiet zone."""
    return segno.make(text, error="m").svg_inline(scale=scale, dark="#0e1014", light="#ffffff")


def terminal(text: str, out: TextIO) -> None:
    """The code drawn with half-block characters, two modules per line."""
    segno.make(text, error="m").terminal(out=out, compact=True)
