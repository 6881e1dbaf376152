"""`twinspace bridge …`: set up real devices (docs/bridges.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import anyio
import click

from twinspace.actions.registry import Caller
from twinspace.bridges.base import BridgeError
from twinspace.bridges.entries import Entries, redact
from twinspace.errors import InvalidInput, NotFound


def _run(fn: Any, *args: Any) -> Any:
    try:
        return anyio.run(fn, *args)
    except BridgeError as e:
        raise InvalidInput(str(e)) from None


def _owner(obj: Any, home_id: str) -> Caller:
    return Caller(home_id, obj.hub.home(home_id).owner_id(), "cli", "owner")


def add_to(main: click.Group, friendly_errors: Any, home_option: Any) -> None:
    """Add `twinspace bridge` to the CLI (given its error wrapper and --home option, which
    live in twinspace/cli.py and would be a circular import here)."""

    @click.group()
    def bridge() -> None:
        """Connect the twin to real devices: Home Assistant, LG webOS TVs, DLNA renderers."""


    @bridge.command(name="homeassistant")
    @click.option("--url", default=None, help="e.g. http://homeassistant.local:8123 (default: found by zeroconf)")
    @click.option("--token", envvar="TWINSPACE_HA_TOKEN", default=None,
                  help="a long-lived access token (env TWINSPACE_HA_TOKEN; asked for when not given)")
    @click.option("--write", "write_to", type=click.Path(dir_okay=False), default=None,
                  help="write the proposed mapping to this file to edit, and stop")
    @click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False), default=None,
                  help="apply this (edited) mapping instead of the proposal")
    @click.option("--yes", is_flag=True, help="apply without asking")
    @home_option
    @click.pass_obj
    @friendly_errors
    def homeassistant(obj: Any, url: Optional[str], token: Optional[str], write_to: Optional[str],
                      mapping_file: Optional[str], yes: bool, home: Optional[str]) -> None:
        """Connect a Home Assistant: propose how its areas and entities map onto the twin's rooms
        and devices, and bind them once you confirm."""
        from twinspace.bridges.homeassistant import config_flow

        home_id = obj.home_id(home)
        if url is None:
            found = _run(config_flow.discover, 3.0)
            if not found:
                raise NotFound("no Home Assistant announced itself on this network (zeroconf _home-assistant._tcp); "
                               "give its address with --url")
            url = found[0].properties.get("internal_url") or f"http://{found[0].host}:{found[0].port}"
            click.echo(f"Found {found[0].name} at {url}")
        if token is None:
            token = click.prompt("Long-lived access token", hide_input=True)
        snapshot = _run(config_flow.fetch, url, token)
        if mapping_file:
            proposals = config_flow.from_json(json.loads(Path(mapping_file).read_text(encoding="utf-8")))
        else:
            proposals = config_flow.propose(obj.hub.home(home_id), snapshot)
        if write_to:
            Path(write_to).write_text(json.dumps(config_flow.as_json(url, proposals), indent=2) + "\n", encoding="utf-8")
            click.echo(f"Wrote the proposed mapping to {write_to}; edit it (action: bind, create or skip), then run\n"
                       f"  twinspace bridge homeassistant --url {url} --mapping {write_to}")
            return
        click.echo(f"Home Assistant {snapshot.version} at {url}:")
        for p in proposals:
            where = f"{p.room}/{p.device}" if p.device else "-"
            click.echo(f"  {p.action:6}  {p.entity:40} {p.name!r:28} → {where} ({p.kind})")
        if not any(p.action != "skip" for p in proposals):
            raise NotFound("nothing to bind: Home Assistant has no lights, switches, fans or media players here")
        if not yes and not click.confirm("Apply this mapping?", default=True):
            click.echo("Nothing changed. Use --write FILE to edit the mapping.")
            return
        bound = [p for p in proposals if p.action != "skip"]

        def change(working: Any) -> None:
            try:
                config_flow.apply(working, bound)
            except BridgeError as e:
                raise InvalidInput(str(e)) from None

        obj.hub.administer(home_id, _owner(obj, home_id), action="bridge.map",
                           args={"bridge": "homeassistant", "entities": [p.entity for p in bound]},
                           message=f"bound {len(bound)} devices to Home Assistant", change=change)
        path = Entries(obj.settings.data_dir).save(home_id, "homeassistant", {"url": url, "token": token})
        click.echo(f"Bound {len(bound)} devices; the token is kept in {path} (mode 0600). "
                   f"Restart `twinspace up` to connect.")


    @bridge.command(name="status")
    @home_option
    @click.pass_obj
    @friendly_errors
    def status(obj: Any, home: Optional[str]) -> None:
        """Bound devices and saved bridge entries (secrets redacted)."""
        home_id = obj.home_id(home)
        entries = Entries(obj.settings.data_dir)
        for _, device in obj.hub.home(home_id).devices():
            if device.bridge:
                domain = device.bridge.get("type")
                ready = "set up" if entries.load(home_id, domain) is not None else "not set up: twin only"
                state = device.state
                seen = "" if state is None or state.available is None else (
                    " available" if state.available else " UNAVAILABLE")
                click.echo(f"{device.id:20} {json.dumps(redact(device.bridge))} ({ready}){seen}")
        for domain in ("homeassistant", "webos", "dlna"):
            entry = entries.load(home_id, domain)
            if entry is not None:
                click.echo(f"{domain}: {json.dumps(redact(entry))}")

    @bridge.group(name="webos")
    def webos() -> None:
        """LG webOS TVs: find them, pair with them."""

    @webos.command(name="discover")
    @click.option("--timeout", type=float, default=4.0, show_default=True)
    @friendly_errors
    def webos_discover(timeout: float) -> None:
        """List LG TVs answering on this network (SSDP)."""
        from twinspace.bridges.webos import config_flow

        found = _run(config_flow.discover, timeout)
        for tv in found:
            click.echo(f"{tv.host:16} {tv.name}")
        if not found:
            click.echo("No LG TV answered. Is it on, on this network, with 'LG Connect Apps' on?")

    @webos.command(name="pair")
    @click.argument("device")
    @click.option("--host", default=None, help="the TV's address (default: its bridge binding's host)")
    @click.option("--hub-url", default=None,
                  help="how the TV reaches this hub, e.g. http://192.168.1.20:8080 (default: this machine's address)")
    @click.option("--mac", default=None, help="the TV's MAC address for Wake-on-LAN (default: asked from the TV)")
    @home_option
    @click.pass_obj
    @friendly_errors
    def webos_pair(obj: Any, device: str, host: Optional[str], hub_url: Optional[str], mac: Optional[str],
                   home: Optional[str]) -> None:
        """Pair with an LG TV: accept the prompt on its screen. Binds DEVICE (a TV in the twin) to it."""
        from twinspace import access
        from twinspace.bridges.webos import config_flow

        home_id = obj.home_id(home)
        found = obj.hub.home(home_id).device(device)
        if found is None or found[1].kind != "tv":
            tvs = ", ".join(d.id for _, d in obj.hub.home(home_id).devices() if d.kind == "tv") or "none"
            raise NotFound(f"there is no TV {device!r} in this home; TVs: {tvs}")
        tv = found[1]
        host = host or (tv.bridge or {}).get("host")
        if not host:
            raise InvalidInput(f"give the TV's address with --host (or run `twinspace bridge webos discover`)")
        entries = Entries(obj.settings.data_dir)
        entry = entries.load(home_id, "webos") or {"tvs": {}}
        known = (entry["tvs"].get(device) or {}).get("client_key")
        if not known:
            click.echo(f"Accept the prompt on {tv.name}'s screen ({host})…")
        paired = _run(lambda: config_flow.pair(host, client_key=known))
        token = access.issue_token(obj.hub.store, home_id, obj.hub.home(home_id).owner_id(),
                                   f"{tv.name} (LG webOS)", device=device).token  # for on-demand media
        entry["tvs"][device] = {"host": host, "client_key": paired.client_key, "mac": mac or paired.mac,
                                "hub_url": hub_url or f"http://{_lan_address()}:{obj.settings.port}",
                                "media_token": token}
        path = entries.save(home_id, "webos", entry)
        binding = {"type": "webos", "host": host}
        if tv.bridge != binding:
            def bind(working: Any) -> None:
                working.device(device)[1].bridge = binding

            obj.hub.administer(home_id, _owner(obj, home_id), action="bridge.map",
                               args={"bridge": "webos", "device": device, "host": host},
                               message=f"bound {tv.name} to the LG TV at {host}", change=bind)
        click.echo(f"Paired with {paired.model or 'the TV'} at {host} ({len(paired.apps)} apps); its key is kept "
                   f"in {path} (mode 0600). Restart `twinspace up` to connect.")

    @bridge.group(name="dlna")
    def dlna() -> None:
        """DLNA/UPnP media renderers (TVs, speakers): find them, add them."""

    @dlna.command(name="discover")
    @click.option("--timeout", type=float, default=4.0, show_default=True)
    @click.option("--address", default=None,
                  help="search one address (HOST or HOST:PORT, port 1900 by default) instead of the whole network, "
                       "e.g. a renderer on another subnet")
    @friendly_errors
    def dlna_discover(timeout: float, address: Optional[str]) -> None:
        """List DLNA media renderers answering on this network (SSDP)."""
        from twinspace.bridges.dlna import config_flow

        target = None
        if address:
            host, _, port = address.partition(":")
            target = (host, int(port) if port else 1900)
        found = _run(lambda: config_flow.discover(timeout, target=target))
        for renderer in found:
            location = renderer.properties["location"]
            try:
                name = _run(config_flow.describe, location).name
            except InvalidInput:
                name = "(its description did not load)"
            click.echo(f"{location:48} {name}")
        if not found:
            click.echo("No DLNA renderer answered. Is it on, on this network, with DLNA (or 'Media renderer') on?")

    @dlna.command(name="add")
    @click.argument("device")
    @click.option("--location", required=True,
                  help="the renderer's description URL, as `twinspace bridge dlna discover` lists it")
    @click.option("--hub-url", default=None,
                  help="how the renderer reaches this hub, e.g. http://192.168.1.20:8080 "
                       "(default: this machine's address)")
    @home_option
    @click.pass_obj
    @friendly_errors
    def dlna_add(obj: Any, device: str, location: str, hub_url: Optional[str], home: Optional[str]) -> None:
        """Bind DEVICE (a TV or speaker in the twin) to the DLNA renderer at LOCATION."""
        from twinspace import access
        from twinspace.bridges.dlna import config_flow

        home_id = obj.home_id(home)
        found = obj.hub.home(home_id).device(device)
        if found is None or found[1].kind not in ("tv", "speaker"):
            players = ", ".join(d.id for _, d in obj.hub.home(home_id).devices() if d.kind in ("tv", "speaker"))
            raise NotFound(f"there is no TV or speaker {device!r} in this home; TVs and speakers: {players or 'none'}")
        target = found[1]
        renderer = _run(config_flow.describe, location)
        token = access.issue_token(obj.hub.store, home_id, obj.hub.home(home_id).owner_id(),
                                   f"{target.name} (DLNA)", device=device).token  # for on-demand media
        entries = Entries(obj.settings.data_dir)
        entry = entries.load(home_id, "dlna") or {"renderers": {}}
        entry["renderers"][device] = {"location": location, "udn": renderer.udn, "media_token": token,
                                      "hub_url": hub_url or f"http://{_lan_address()}:{obj.settings.port}"}
        path = entries.save(home_id, "dlna", entry)
        binding = {"type": "dlna", "udn": renderer.udn}
        if target.bridge != binding:
            def bind(working: Any) -> None:
                working.device(device)[1].bridge = binding

            obj.hub.administer(home_id, _owner(obj, home_id), action="bridge.map",
                               args={"bridge": "dlna", "device": device, "location": location},
                               message=f"bound {target.name} to the DLNA renderer {renderer.name}", change=bind)
        volume = "with volume control" if renderer.volume else "without volume control"
        click.echo(f"Added {renderer.name} ({renderer.model or 'DLNA renderer'}, {volume}) as {target.name}; "
                   f"its entry is in {path}. Restart `twinspace up` to connect.")

    main.add_command(bridge)


def _lan_address() -> str:
    """This machine's address on the home network (the route out)."""
    from twinspace.bridges.connection import local_address

    return local_address()
