"""The `twinspace` command."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import click

from twinspace import __version__
from twinspace.actions.registry import Caller, Pending
from twinspace.config import Settings
from twinspace.errors import Conflict, InvalidInput, NotFound, TwinspaceError
from twinspace.geometry import Viewer


class Context:
    """Lazily opened hub state for a CLI invocation."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.serving = False  # `twinspace up`: on a cluster, a replica that owns homes
        self._hub = None

    @property
    def hub(self):  # noqa: ANN201 - imported late to keep `twinspace --help` fast
        if self._hub is None:
            from twinspace.runtime import open_hub

            self._hub = open_hub(self.settings, serving=self.serving)
        return self._hub

    def home_id(self, given: Optional[str]) -> str:
        ids = self.hub.household_ids()
        if given:
            if given not in self.hub.home_ids():
                raise NotFound(f"there is no home {given!r} on this hub; homes: {', '.join(ids) or 'none'}")
            return given
        if len(ids) == 1:
            return ids[0]
        if not ids:
            raise NotFound("this hub has no home yet; run `twinspace up` (demo home) or `twinspace import DIR`")
        raise InvalidInput(f"this hub has several homes ({', '.join(ids)}); choose one with --home")


def friendly_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Print domain errors as one clear line and exit non-zero, instead of a traceback."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TwinspaceError as e:
            click.echo(f"error: {e.detail}", err=True)
            sys.exit(1)

    return wrapper


home_option = click.option("--home", "home", default=None, help="home id (default: the only home)")


@click.group()
@click.version_option(__version__, prog_name="twinspace")
@click.option("--data", "data_dir", type=click.Path(file_okay=False), default=None, envvar="TWINSPACE_DATA",
              help="data directory (env TWINSPACE_DATA)")
@click.pass_context
def main(ctx: click.Context, data_dir: Optional[str]) -> None:
    """twinspace: the home hub for extended reality."""
    settings = Settings.from_env()
    if data_dir:
        settings = dataclasses.replace(settings, data_dir=Path(data_dir))
    ctx.obj = Context(settings)


@main.command()
@click.option("--host", default=None, help="address to bind (default 127.0.0.1)")
@click.option("--port", type=int, default=None, help="port (default 8080)")
@click.option("--pairing-code", "show_code", is_flag=True, default=None,
              help="print an owner pairing code (default: only when stdout is a terminal)")
@click.pass_obj
@friendly_errors
def up(obj: Context, host: Optional[str], port: Optional[int], show_code: Optional[bool]) -> None:
    """Start the hub; on first run it creates the demo home."""
    from twinspace.runtime import ensure_demo_home, serve

    settings = obj.settings
    host = host or settings.host
    port = port or settings.port
    from twinspace.portcheck import ensure_free; ensure_free(host, port)  # noqa: E702  (say what holds the port)
    if host != settings.host or port != settings.port:
        obj.settings = settings = dataclasses.replace(settings, host=host, port=port)
    obj.serving = True
    hub = obj.hub
    try:
        created = ensure_demo_home(hub, base_url=f"http://{host}:{port}")
    except Conflict:  # another replica of the cluster created it at the same moment
        created = None
    if created:
        click.echo(f"Created the demo home {created.name!r} ({created.id}) in {settings.data_dir}")
    from twinspace.access import create_pairing_code

    home_id = obj.home_id(None) if len(hub.household_ids()) == 1 else hub.household_ids()[0]
    click.echo(f"twinspace {__version__} serving {home_id} at http://{host}:{port}")
    if show_code or (show_code is None and sys.stdout.isatty()):  # a code in a log file is a code for anyone
        code = create_pairing_code(hub.store, home_id)
        click.echo(f"Pair a device with code {code.code} (valid 10 minutes; `twinspace pair` makes more).")
    else:
        click.echo("Pair a device with a code from `twinspace pair` (or start with --pairing-code).")
    click.echo(f"API reference: http://{host}:{port}/docs")
    serve(hub, host, port)


@main.group()
def cluster() -> None:
    """Several hub replicas on PostgreSQL, Redis and HAProxy (docs/deploy.md)."""


@cluster.command(name="up")
@click.option("--replicas", type=click.IntRange(1, 16), default=3, show_default=True)
@click.option("--port", type=int, default=8080, show_default=True, help="the load balancer's port on 127.0.0.1")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="a new directory for the servers' data and logs, kept after they stop "
                   "(default: a temporary one, removed)")
@friendly_errors
def cluster_up(replicas: int, port: int, directory: Optional[str]) -> None:
    """Start PostgreSQL, Redis, HAProxy and hub replicas on loopback; Ctrl-C stops them all."""
    import signal
    import threading

    from twinspace.cluster.local import LocalCluster
    from twinspace.config import Settings
    from twinspace.runtime import open_hub

    from twinspace.portcheck import ensure_free; ensure_free("127.0.0.1", port)  # noqa: E702
    run = LocalCluster(Path(directory) if directory else None, replicas=replicas, port=port,
                       keep=directory is not None)
    click.echo(f"Starting PostgreSQL, Redis, {replicas} hub replicas and HAProxy in {run.dir} ...")
    run.start()
    try:
        hub = open_hub(Settings.from_env(run.env))
        from twinspace.access import create_pairing_code

        home_id = hub.home_ids()[0]
        code = create_pairing_code(hub.store, home_id)
        hub.store.close()
        hub.cluster.close()
        for r in run.replicas:
            click.echo(f"  replica {r.name}: {r.url} (log {r.log})")
        click.echo(f"twinspace cluster serving {home_id} at {run.url} (HAProxy, routing by home)")
        click.echo(f"Pair a device with code {code.code} (valid 10 minutes). Ctrl-C stops the cluster.")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(1):
                for r in run.replicas:
                    if not r.alive:  # a crashed replica comes back; its homes moved meanwhile
                        click.echo(f"replica {r.name} exited; restarting it", err=True)
                        r.start()
        except KeyboardInterrupt:
            pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave servers behind
        click.echo("Stopping the cluster ...")
        run.stop()


@main.command(name="import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--replace", is_flag=True, help="replace a home with the same id")
@click.option("--id", "home_id", default=None, help="home id for an MRUK scan (default: from the file name)")
@click.option("--allow-empty", is_flag=True, help="let an empty lineup, guide or title list empty the home's")
@click.pass_obj
@friendly_errors
def import_(obj: Context, path: str, replace: bool, home_id: Optional[str], allow_empty: bool) -> None:
    """Import a home directory (twinspace.home/1) or a Meta MRUK scene JSON file."""
    from twinspace.runtime import read_any

    bundle = read_any(Path(path), home_id=home_id)
    home = obj.hub.import_bundle(bundle, replace=replace, allow_empty=allow_empty)
    surfaces = sum(len(r.surfaces) for r in home.rooms)
    devices = sum(len(r.devices) for r in home.rooms)
    click.echo(f"Imported {home.name!r} ({home.id}): {len(home.rooms)} room(s), {surfaces} surfaces, "
               f"{devices} devices, {len(home.people)} people")
    for note in getattr(bundle, "notes", []):  # what a scan importer repaired (home/mruk.py)
        click.echo(f"note: {note}")
    report = getattr(obj.hub.services, "last_report", None)
    if report:
        click.echo(str(report))


@main.command(name="export")
@click.argument("directory", type=click.Path(file_okay=False))
@home_option
@click.pass_obj
@friendly_errors
def export(obj: Context, directory: str, home: Optional[str]) -> None:
    """Export a home to a directory in the twinspace.home/1 format."""
    from twinspace.home.homefile import HomeBundle, write_home_dir

    home_id = obj.home_id(home)
    out = write_home_dir(HomeBundle(obj.hub.home(home_id), obj.hub.store.files(home_id)), directory)
    click.echo(f"Exported {home_id} to {out}")


@main.command()
@home_option
@click.option("--person", default=None, help="pair as this person (default: the home owner)")
@click.option("--qr", "as_qr", is_flag=True, help="print a pairing link and its QR code for a device on the LAN")
@click.option("--url-host", default=None, help="with --qr: the hub name or address the link uses")
@click.pass_obj
@friendly_errors
def pair(obj: Context, home: Optional[str], person: Optional[str], as_qr: bool, url_host: Optional[str]) -> None:
    """Print a one-time code that pairs a device with the home."""
    from twinspace.access import create_pairing_code

    if as_qr:
        from twinspace.lan.commands import pair_link

        return pair_link(obj, obj.home_id(home), person, url_host)
    code = create_pairing_code(obj.hub.store, obj.home_id(home), person)
    who = f" as {code.person}" if code.person else ""
    click.echo(f"Pairing code{who}: {code.code}")
    click.echo(f"Valid until {code.expires_at.astimezone():%H:%M:%S}. Enter it in the XR client or "
               f"POST /api/v1/pair {{\"code\": ..., \"name\": ...}}.")


def _lan_mode(command: click.Command) -> click.Command:
    """Give `up` a `--lan` flag (or TWINSPACE_LAN=1): then it serves the home network over HTTPS
    (docs/lan.md). Added here rather than in `up` itself, which stays the loopback hub."""
    import functools

    plain = command.callback

    @friendly_errors
    def callback(lan: bool, **kwargs: Any) -> Any:
        from twinspace.lan.config import LanConfig

        if lan or LanConfig.from_env().enabled:
            from twinspace.lan.commands import up_lan

            return up_lan(click.get_current_context().obj, kwargs["host"], kwargs["port"], kwargs.get("show_code"))
        return plain(**kwargs)  # type: ignore[misc]

    command.params.append(click.Option(["--lan"], is_flag=True,
                                       help="serve the home network over HTTPS (env TWINSPACE_LAN=1; docs/lan.md)"))
    command.callback = functools.update_wrapper(callback, plain)  # type: ignore[arg-type]
    return command


_lan_mode(up)


@main.command()
@click.option("--seconds", type=float, default=3.0, show_default=True, help="how long to listen for answers")
@click.option("--interface", default=None, help="the local address to browse from (default: every interface)")
@friendly_errors
def discover(seconds: float, interface: Optional[str]) -> None:
    """List the twinspace hubs on the network (mDNS/DNS-SD `_twinspace._tcp`)."""
    from twinspace.lan.commands import discover as run

    run(seconds, interface)


@main.command()
@click.pass_obj
@friendly_errors
def homes(obj: Context) -> None:
    """List the homes on this hub."""
    for home_id in obj.hub.home_ids():
        h = obj.hub.home(home_id)
        hosted = f"\t{h.kind} space hosted by {h.host}" if h.kind != "home" else ""
        click.echo(f"{h.id}\t{h.name}\t{len(h.rooms)} rooms\t{len(h.panels)} panels{hosted}")


# --- spaces beyond the home (docs/spaces.md) ---------------------------------------------

def _owner(obj: Context, home: Optional[str]) -> Caller:
    h = obj.hub.home(obj.home_id(home))
    if h.kind != "home":
        raise InvalidInput(f"{h.id} is a space; name the home that hosts it with --home")
    return Caller(home_id=h.id, person=h.owner_id(), role="owner")


def _base_url(obj: Context, given: Optional[str]) -> str:
    return (given or f"http://{obj.settings.host}:{obj.settings.port}").rstrip("/")


@main.group()
def space() -> None:
    """Virtual spaces (a cinema, a lounge) hosted by this hub, and spaces joined on others."""


@space.command(name="create")
@click.argument("template", default="cinema")
@click.option("--name", default=None, help="the space's name (default: '<home> <template>')")
@click.option("--id", "space_id", default=None, help="the space's id (default: <home>-<template>)")
@home_option
@click.pass_obj
@friendly_errors
def space_create(obj: Context, template: str, name: Optional[str], space_id: Optional[str],
                 home: Optional[str]) -> None:
    """Create a virtual space from a template (cinema or lounge), hosted by the home."""
    from twinspace.spaces.hosting import create_space

    s = create_space(obj.hub, _owner(obj, home), template, name, space_id)
    screens = ", ".join(d.id for _, d in s.devices() if d.kind == "tv")
    click.echo(f"Created {s.name!r} ({s.id}): {len(s.seats)} seats, screen {screens}. "
               f"Invite another home with `twinspace invite create {s.id} --for NAME`.")


@space.command(name="list")
@home_option
@click.pass_obj
@friendly_errors
def space_list(obj: Context, home: Optional[str]) -> None:
    """The spaces the home hosts and the ones it joined on other hubs."""
    from twinspace.spaces import hosting, joined

    home_id = obj.home_id(home)
    for s in hosting.spaces_of(obj.hub, home_id):
        taken = sum(1 for seat in s.seats if seat.person)
        click.echo(f"{s.id}\t{s.name}\thosted here\t{taken}/{len(s.seats)} seats taken")
    for j in joined.joined_spaces(obj.hub.store, home_id):
        click.echo(f"{j.id}\t{j.name}\tjoined at {j.host_url} as {j.guest}")


@space.command(name="join")
@click.argument("link")
@click.option("--name", required=True, help="who is coming, as the host will see it, e.g. 'Joon (the Kims)'")
@click.option("--host", "host_url", default=None, help="the host's URL, when LINK is a bare code")
@home_option
@click.pass_obj
@friendly_errors
def space_join(obj: Context, link: str, name: str, host_url: Optional[str], home: Optional[str]) -> None:
    """Join a space another hub hosts, with the invite link its host gave you."""
    from twinspace.spaces import invites, joined

    owner = _owner(obj, home)
    url, code = invites.parse_link(link, host_url)
    j = joined.join(obj.hub.store, owner.home_id, url, code, name)
    click.echo(f"Joined {j.name!r} ({j.id}) at {j.host_url} as {j.guest}. This home's devices reach it "
               f"through this hub: /api/v1/homes/{owner.home_id}/joined-sync/{j.id}")


@space.command(name="leave")
@click.argument("space_id")
@home_option
@click.pass_obj
@friendly_errors
def space_leave(obj: Context, space_id: str, home: Optional[str]) -> None:
    """Leave a joined space: its host revokes this hub's pass."""
    from twinspace.spaces import joined

    told = joined.leave(obj.hub.store, _owner(obj, home).home_id, space_id)
    click.echo(f"Left {space_id}." + ("" if told else " The host could not be reached; it was forgotten here."))


@main.group()
def invite() -> None:
    """One-time invites into a space this hub hosts, for another home."""


@invite.command(name="create")
@click.argument("space_id")
@click.option("--for", "label", required=True, help="whom it is for, e.g. 'the Kims'")
@click.option("--hours", type=float, default=24.0, show_default=True, help="how long it stays open")
@click.option("--url", "base_url", default=None, help="the address the guest's hub reaches this hub at "
              "(default: http://TWINSPACE_HOST:TWINSPACE_PORT)")
@home_option
@click.pass_obj
@friendly_errors
def invite_create(obj: Context, space_id: str, label: str, hours: float, base_url: Optional[str],
                  home: Optional[str]) -> None:
    """Make a one-time invite; hand the link over yourself (it is shown once)."""
    from datetime import timedelta

    from twinspace.spaces import hosting, invites

    owner = _owner(obj, home)
    s = hosting.hosted_space(obj.hub, owner, space_id)
    i = invites.create_invite(obj.hub, s, by=owner.person, label=label, base_url=_base_url(obj, base_url),
                              ttl=timedelta(hours=hours))
    click.echo(f"Invite {i.id} for {label} into {s.name}, open until {i.expires_at}:")
    click.echo(f"  {i.link}")
    click.echo(f"Their hub joins with `twinspace space join {i.link} --name NAME`.")


@invite.command(name="list")
@click.argument("space_id")
@home_option
@click.pass_obj
@friendly_errors
def invite_list(obj: Context, space_id: str, home: Optional[str]) -> None:
    """The space's invites: open, redeemed (by whom), expired or revoked."""
    from twinspace.spaces import hosting, invites

    s = hosting.hosted_space(obj.hub, _owner(obj, home), space_id)
    for i in invites.invites(obj.hub.store, s.id):
        click.echo(f"{i.id}\t{i.label}\t{i.state}\t{i.guest or '-'}\tuntil {i.expires_at}")


@invite.command(name="revoke")
@click.argument("space_id")
@click.argument("invite_id")
@home_option
@click.pass_obj
@friendly_errors
def invite_revoke(obj: Context, space_id: str, invite_id: str, home: Optional[str]) -> None:
    """Revoke an invite; a guest who came in with it is cut off at once."""
    from twinspace.spaces import hosting, invites

    s = hosting.hosted_space(obj.hub, _owner(obj, home), space_id)
    i = invites.revoke(obj.hub, s.id, invite_id)
    click.echo(f"Revoked invite {i.id} ({i.label})" + (f"; {i.guest} is out of {s.name}." if i.guest else "."))


@main.command()
@home_option
@click.pass_obj
@friendly_errors
def devices(obj: Context, home: Optional[str]) -> None:
    """List the devices paired with the home (revoke one with `twinspace revoke ID`)."""
    from twinspace.access import paired_devices

    found = paired_devices(obj.hub.store, obj.home_id(home))
    if not found:
        click.echo("No device is paired with this home; `twinspace pair` makes a code.")
    for d in found:
        used = d.last_used_at[:16] if d.last_used_at else "never"
        expires = f"\texpires {d.expires_at[:10]}" if d.expires_at else ""
        click.echo(f"{d.id}\t{d.label}\t{d.person or '-'} ({d.role})\t{d.device or '-'}\tlast used {used}{expires}")


@main.command()
@click.argument("pairing_id")
@home_option
@click.pass_obj
@friendly_errors
def revoke(obj: Context, pairing_id: str, home: Optional[str]) -> None:
    """Revoke a paired device by the id `twinspace devices` shows; it is disconnected at once."""
    from twinspace.access import revoke_device

    d = revoke_device(obj.hub.store, obj.home_id(home), pairing_id)
    click.echo(f"Revoked {d.label} ({d.id}); a running hub disconnects it within a second.")


def _viewer(value: Optional[str], yaw: float) -> Optional[Viewer]:
    if value is None:
        return None
    try:
        x, y, z = (float(v) for v in value.split(","))
    except ValueError:
        raise InvalidInput(f"--viewer takes x,y,z in metres, e.g. 0,1.6,1 — not {value!r}") from None
    return Viewer((x, y, z), yaw)


@main.command()
@home_option
@click.option("--viewer", "viewer_at", default=None, help="eye position x,y,z in metres, e.g. 0,1.6,1")
@click.option("--yaw", type=float, default=0.0, help="viewer facing in degrees (0 looks toward -Z)")
@click.option("--room", default=None, help="room id (default: the room the viewer stands in)")
@click.option("--surface", default=None, help="surface id or label (WALL_FACE, TABLE, ...)")
@click.option("--side", type=click.Choice(["left", "right", "front", "behind"]), default=None)
@click.option("--size", type=click.Choice(["small", "medium", "large", "cinema"]), default=None)
@click.option("--floating", is_flag=True)
@click.pass_obj
@friendly_errors
def place(obj: Context, home: Optional[str], viewer_at: Optional[str], yaw: float, room: Optional[str],
          surface: Optional[str], side: Optional[str], size: Optional[str], floating: bool) -> None:
    """Try placement: where would a panel go? Changes nothing."""
    from twinspace.home.placement import PlacementRequest, place as do_place

    h = obj.hub.home(obj.home_id(home))
    viewer = _viewer(viewer_at, yaw)
    if room is None and viewer is not None:
        found = h.room_at(viewer.position[0], viewer.position[2])
        room = found.id if found else None
    p = do_place(h, PlacementRequest(surface=surface, side=side, size=size, floating=floating), viewer, room)
    click.echo(json.dumps({"surface": p.surface, "room": p.room, "size_preset": p.size_preset,
                           "size": [round(v, 3) for v in p.size],
                           "pose": {"position": [round(v, 3) for v in p.pose.position],
                                    "rotation": [round(v, 5) for v in p.pose.rotation]}}, indent=2))


@main.command(name="actions")
@click.pass_obj
def list_actions(obj: Context) -> None:
    """List the actions the hub understands."""
    from twinspace.actions import registry

    for spec in registry:
        click.echo(f"{spec.name:18} {spec.summary}")


@main.command()
@click.argument("action")
@click.argument("args", required=False, default="{}")
@home_option
@click.option("--person", default=None, help="act as this person (default: the owner)")
@click.option("--viewer", "viewer_at", default=None, help="eye position x,y,z")
@click.option("--yaw", type=float, default=0.0)
@click.option("--room", default=None)
@click.option("--yes", is_flag=True, help="confirm actions that ask for confirmation")
@click.pass_obj
@friendly_errors
def act(obj: Context, action: str, args: str, home: Optional[str], person: Optional[str],
        viewer_at: Optional[str], yaw: float, room: Optional[str], yes: bool) -> None:
    """Run an action, e.g. `twinspace act device.power '{"device": "lamp-floor", "on": true}'`."""
    try:
        raw = json.loads(args)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"ARGS must be a JSON object: {e.msg} at column {e.colno}") from None
    home_id = obj.home_id(home)
    h = obj.hub.home(home_id)
    person = person or h.owner_id()
    role = "owner" if person == h.owner_id() else "member"
    outcome = obj.hub.apply(home_id, action, raw, caller=Caller(home_id, person, "cli", role),
                            viewer=_viewer(viewer_at, yaw), room=room, confirmed=yes)
    if isinstance(outcome, Pending):
        click.echo(f"Needs confirmation: {outcome.reason} (run again with --yes)")
        sys.exit(3)
    click.echo(outcome.message)
    if outcome.result:
        click.echo(json.dumps(outcome.result, indent=2, default=str))


@main.command()
@home_option
@click.pass_obj
@friendly_errors
def undo(obj: Context, home: Optional[str]) -> None:
    """Undo the last change to the home."""
    home_id = obj.home_id(home)
    h = obj.hub.home(home_id)
    click.echo(obj.hub.undo(home_id, Caller(home_id, h.owner_id(), "cli", "owner")).message)


def _print_turn(result) -> None:  # noqa: ANN001 - assistant.TurnResult
    for outcome in result.applied:
        click.echo(f"  ✓ {outcome.action} {json.dumps(outcome.args)}")
    for pending in result.pending:
        click.echo(f"  ? {pending.action} {json.dumps(pending.args)} — needs confirmation (--yes)")
    click.echo(result.reply or "(no reply)")
    click.echo(f"  (understood by the {result.layer} layer)")


def _turn_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        home_option,
        click.option("--person", default=None, help="who is speaking (default: the owner)"),
        click.option("--device", default=None, help="the XR device they use"),
        click.option("--room", default=None, help="the room they are in"),
        click.option("--viewer", "viewer_at", default=None, help="eye position x,y,z (default: room centre)"),
        click.option("--yaw", type=float, default=0.0, help="facing in degrees"),
        click.option("--yes", is_flag=True, help="confirm actions that ask for confirmation"),
    ]):
        fn = option(fn)
    return fn


def _speaker(obj: Context, home: Optional[str], person: Optional[str], device: Optional[str],
             room: Optional[str], viewer_at: Optional[str], yaw: float):  # noqa: ANN202
    from twinspace.geometry import polygon_centroid

    home_id = obj.home_id(home)
    h = obj.hub.home(home_id)
    person = person or h.owner_id()
    if person is not None and h.person(person) is None:
        raise NotFound(f"there is no person {person!r} in {h.name}")
    viewer = _viewer(viewer_at, yaw)
    if viewer is None:
        r = h.room(room) if room else h.rooms[0]
        if r is None:
            raise NotFound(f"there is no room {room!r} in {h.name}; rooms: {', '.join(x.id for x in h.rooms)}")
        cx, cz = polygon_centroid(r.floor)
        viewer, room = Viewer((cx, 1.6, cz), yaw), r.id
    caller = Caller(home_id, person, device, "owner" if person == h.owner_id() else "member")
    return home_id, caller, viewer, room


@main.command()
@click.argument("text")
@_turn_options
@click.pass_obj
@friendly_errors
def ask(obj: Context, text: str, home: Optional[str], person: Optional[str], device: Optional[str],
        room: Optional[str], viewer_at: Optional[str], yaw: float, yes: bool) -> None:
    """Ask the home assistant, e.g. `twinspace ask "put the news on the wall to my left"`."""
    from twinspace.assistant.service import assistant_for

    home_id, caller, viewer, room = _speaker(obj, home, person, device, room, viewer_at, yaw)
    result = assistant_for(obj.hub, obj.settings.data_dir).turn(home_id, text, caller=caller, viewer=viewer,
                                                                 room=room, confirmed=yes)
    _print_turn(result)


@main.command()
@click.argument("audio", type=click.Path(exists=True, dir_okay=False))
@_turn_options
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="where to write the spoken reply (default: AUDIO's name with .reply.wav)")
@click.pass_obj
@friendly_errors
def listen(obj: Context, audio: str, home: Optional[str], person: Optional[str], device: Optional[str],
           room: Optional[str], viewer_at: Optional[str], yaw: float, yes: bool, out: Optional[str]) -> None:
    """Run a spoken request from a recording (WAV, MP3, OGG…): transcript, actions, spoken reply."""
    from twinspace.assistant.service import assistant_for
    from twinspace.voice.audio import read_audio
    from twinspace.voice.speech_in import shared_transcriber
    from twinspace.voice.speech_out import shared_synthesizer
    from twinspace.voice.vocabulary import hotwords_for

    target = Path(out) if out else Path(audio).with_suffix(".reply.wav")
    if not target.parent.is_dir():  # checked before anything is done to the home
        raise InvalidInput(f"--out: the folder {target.parent} does not exist")
    home_id, caller, viewer, room = _speaker(obj, home, person, device, room, viewer_at, yaw)
    try:
        samples = read_audio(Path(audio))
    except ValueError as e:
        raise InvalidInput(f"{audio}: {e}") from None
    words = hotwords_for(obj.hub, home_id)
    heard = shared_transcriber().transcribe(samples, hotwords=words)
    click.echo(f"heard: {heard.text!r} ({heard.audio_seconds:.1f} s of audio in {heard.seconds:.2f} s)")
    if not heard.text:
        raise InvalidInput(f"{audio}: no speech was heard in it")
    result = assistant_for(obj.hub, obj.settings.data_dir).turn(home_id, heard.text, caller=caller, viewer=viewer,
                                                                 room=room, confirmed=yes)
    _print_turn(result)
    _write_atomically(target, shared_synthesizer().wav(result.reply or "Done."))
    click.echo(f"reply audio: {target}")


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)


@main.command()
@_turn_options
@click.pass_obj
@friendly_errors
def chat(obj: Context, home: Optional[str], person: Optional[str], device: Optional[str], room: Optional[str],
         viewer_at: Optional[str], yaw: float, yes: bool) -> None:
    """Talk to the home assistant turn by turn (Ctrl-D to leave)."""
    from twinspace.assistant.service import assistant_for

    home_id, caller, viewer, room = _speaker(obj, home, person, device, room, viewer_at, yaw)
    assistant = assistant_for(obj.hub, obj.settings.data_dir)
    focus = None
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            click.echo()
            return
        if not text:
            continue
        try:
            result = assistant.turn(home_id, text, caller=caller, viewer=viewer, room=room, focus=focus,
                                    confirmed=yes)
        except TwinspaceError as e:
            click.echo(f"error: {e.detail}", err=True)
            continue
        opened = [o for o in result.applied if o.action == "panel.open" and o.result]
        focus = opened[-1].result["panel"]["id"] if opened else focus
        _print_turn(result)


@main.command(name="eval")
@click.argument("cases", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="print the full report as JSON")
@click.option("--model", default=None, help="model name or GGUF path (default: TWINSPACE_MODEL or the embedded one)")
@click.option("--only", default=None, help="run only cases whose id contains this")
@click.pass_obj
@friendly_errors
def eval_(obj: Context, cases: str, as_json: bool, model: Optional[str], only: Optional[str]) -> None:
    """Evaluate the assistant on a JSONL file of cases; prints failures and accuracy."""
    from twinspace.assistant.evaluation import load_cases, run_cases
    from twinspace.assistant.service import load_model
    from twinspace.runtime import content_services

    loaded = [c for c in load_cases(Path(cases)) if only is None or only in c.id]
    lm = load_model(obj.settings.data_dir, model)

    def show(r) -> None:  # noqa: ANN001
        if not r.passed and not as_json:
            click.echo(f"FAIL {r.case.id}: {r.case.utterance!r}\n  expected {json.dumps(r.case.expect)}\n"
                       f"  emitted  {json.dumps(r.emitted)}\n  commands {r.commands!r} ({r.layer})\n"
                       f"  reply    {r.reply!r}" + (f"\n  WRONG    {json.dumps(r.wrong)}" if r.wrong else ""))

    report = run_cases(loaded, lm, services_factory=content_services, progress=show)
    click.echo(json.dumps(report.to_json(), indent=2) if as_json else report.summary())


@main.command()
@click.option("--steps", type=int, default=320, show_default=True)
@click.option("--examples", type=int, default=8000, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="where to write the GGUF adapter (default: the one the embedded model ships with)")
@click.option("--work", type=click.Path(file_okay=False), default=None,
              help="the run's work folder (default: train/ in the data directory); the same "
                   "command run again goes on from its last checkpoint")
@click.pass_obj
@friendly_errors
def train(obj: Context, steps: int, examples: int, out: Optional[str], work: Optional[str]) -> None:
    """Train the assistant's task adapter on synthetic requests (needs the `train` extra)."""
    from twinspace.assistant import train as training
    from twinspace.assistant.runtime import MODELS, adapter_path, resolve_model

    model_path, _ = resolve_model("smollm2-135m", obj.settings.data_dir)
    target = Path(out) if out else adapter_path(MODELS["smollm2-135m"].adapter or "adapter.gguf")
    folder = Path(work) if work else obj.settings.data_dir / "train"
    try:
        written = training.run(model_path, target, training.TrainConfig(steps=steps, examples=examples), folder)
    except training.SettingsChanged as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Wrote {written}")


from twinspace.bridges.cli import add_to as _add_bridge_commands  # noqa: E402  (docs/bridges.md)

_add_bridge_commands(main, friendly_errors, home_option)

if __name__ == "__main__":  # pragma: no cover
    main()
