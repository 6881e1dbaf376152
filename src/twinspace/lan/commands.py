"""What `twinspace up --lan`, `twinspace pair --qr` and `twinspace discover` do and print.

Pairing codes and their QR codes are printed only to a terminal (or when asked with
`--qr`): a hub started by a service manager must not write a live code into its log.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any, Optional

import click

from twinspace import __version__
from twinspace.lan import qr
from twinspace.lan.config import LanConfig
from twinspace.lan.names import HubNames, host_label, lan_addresses


def up_lan(ctx: Any, host: Optional[str], port: Optional[int], show_qr: Optional[bool]) -> None:
    """Serve the hub to the home network; `ctx` is the CLI's Context."""
    from twinspace.access import create_pairing_code
    from twinspace.lan.routes import LINK_TTL
    from twinspace.lan.server import LanServer
    from twinspace.runtime import ensure_demo_home
    from twinspace.server.app import create_app
    from twinspace.voice.warmup import warm_in_background

    settings = ctx.settings
    lan = LanConfig.from_env()
    host = host or os.environ.get("TWINSPACE_HOST") or "0.0.0.0"
    hub = ctx.hub
    label = host_label()
    created = ensure_demo_home(hub, base_url=f"https://{label}.local:{lan.https_port}")
    if created:
        click.echo(f"Created the demo home {created.name!r} ({created.id}) in {settings.data_dir}")
    home_id = hub.household_ids()[0]
    server = LanServer(create_app(hub), lan, settings.data_dir, host, port or settings.port,
                       home_name=hub.home(home_id).name, label=label, on_ready=_ready)
    state = server.state
    click.echo(f"twinspace {__version__} serving {home_id} to the home network over HTTPS (LAN mode)")
    for url in state.names().urls(state.https_port):
        click.echo(f"  {url}/")
    click.echo(server.keeper.summary())
    setup = state.setup_url()
    click.echo(f"Set up a device (trust the hub's certificate once): {setup}")
    if show_qr is None:
        show_qr = sys.stdout.isatty()
    if show_qr:
        qr.terminal(setup, sys.stdout)
        code = create_pairing_code(hub.store, home_id, ttl=LINK_TTL)
        link = qr.pairing_link(state.origin(), code.code)
        click.echo(f"Then pair it: scan this code, or open {link} (one device, valid {LINK_TTL.seconds // 60} minutes):")
        qr.terminal(link, sys.stdout)
    else:
        click.echo("Pair devices with `twinspace pair --qr` in a terminal (codes are never written to logs).")
    warm_in_background(settings.data_dir)
    asyncio.run(server.serve())
    click.echo("twinspace stopped; the mDNS advertisement was withdrawn.")


def _ready(server: Any) -> None:
    info = server.advertiser.info if server.advertiser is not None else None
    if info is not None:
        click.echo(f"Advertised on mDNS as {info.name.removesuffix('.' + info.type)!r} ({info.type.rstrip('.')}); "
                   f"`twinspace discover` finds it.")
    else:
        click.echo("Not advertised on mDNS (TWINSPACE_MDNS=0, or no LAN address): devices use the addresses above.")


def pair_link(ctx: Any, home_id: str, person: Optional[str], host: Optional[str]) -> None:
    """Print a one-time pairing link and its QR code (the hub's HTTPS origin in LAN mode)."""
    from twinspace.access import create_pairing_code
    from twinspace.lan.routes import LINK_TTL

    lan = LanConfig.from_env()
    label = host_label()
    names = HubNames.gather(label, lan.names, lan_addresses(), os.environ.get("TWINSPACE_HOST"))
    origin = names.origin(host or names.public_host(), lan.https_port)
    code = create_pairing_code(ctx.hub.store, home_id, person, ttl=LINK_TTL)
    link = qr.pairing_link(origin, code.code)
    qr.terminal(link, sys.stdout)
    who = f" as {code.person}" if code.person else ""
    click.echo(f"Scan to pair one device{who}, or open {link}")
    shown = host or names.public_host()
    click.echo(f"Code {code.code}, valid until {code.expires_at.astimezone():%H:%M:%S}. The device must trust the "
               f"hub's certificate first: http://{shown}:{ctx.settings.port}/setup")


def discover(seconds: float, interface: Optional[str]) -> None:
    from twinspace.lan.discovery import browse

    hubs = browse(seconds, interface)
    if not hubs:
        click.echo(f"No twinspace hub answered within {seconds:g} s (is one running with `twinspace up --lan` on "
                   f"this network, and does the network pass multicast?)", err=True)
        sys.exit(1)
    for h in hubs:
        p = h.properties
        click.echo(f"{h.name}\t{h.url}\thome={p.get('home', '?')}\tversion={p.get('v', '?')}\t"
                   f"addresses={','.join(h.addresses)}" + (f"\tca-sha256={p['ca']}" if p.get("ca") else ""))
