"""The connection to one DLNA/UPnP media renderer, through async-upnp-client's DMR profile
(`DmrDevice`): plays the hub's content on it (SetAVTransportURI, then Play), pauses, resumes
and stops it, sets its volume and mute where it has RenderingControl, and reads its position
(GetPositionInfo) so a handoff back to a headset resumes where the renderer was.

State comes back two ways: the renderer's events (a subscription to its services, delivered
to a small notify server on our address towards it) and a poll every few seconds, which
also reads the position (never evented) and finds a renderer that went away. A renderer
that stops answering is unavailable until it answers again (reconnect with backoff); after
every reconnect its real state is reported so the twin matches it.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from datetime import timedelta
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import aiohttp
from async_upnp_client.aiohttp import AiohttpNotifyServer, AiohttpSessionRequester
from async_upnp_client.client_factory import UpnpFactory
from async_upnp_client.exceptions import UpnpActionError, UpnpCommunicationError, UpnpError
from async_upnp_client.profiles.dlna import DmrDevice, TransportState
from async_upnp_client.utils import str_to_time

from twinspace.bridges.base import BridgeError, Command, NotConfirmed, StatePatch
from twinspace.bridges.connection import Backoff, Supervised, local_address
from twinspace.bridges.dlna.const import CONFIRM_POLL_S, HLS_MIME, HLS_MIMES, NAME, POLL_S, REQUEST_TIMEOUT_S, VOD_HLS
from twinspace.bridges.media import device_url
from twinspace.home.model import Device

log = logging.getLogger(__name__)

Wanted = Callable[[DmrDevice], bool]
STOPPED = (TransportState.STOPPED, TransportState.NO_MEDIA_PRESENT)
AVT_SERVICE_ID = "urn:upnp-org:serviceId:AVTransport"
TRANSPORTS = {TransportState.PLAYING: "playing", TransportState.PAUSED_PLAYBACK: "paused",
              TransportState.STOPPED: "stopped", TransportState.NO_MEDIA_PRESENT: "stopped"}  # the twin's words


class DlnaBridge(Supervised):
    def __init__(self, home_id: str, device: Device, entry: dict[str, Any], *,
                 backoff: Optional[Backoff] = None, poll_s: float = POLL_S) -> None:
        self.home_id = home_id
        self.device = device
        self.devices = {device.id: device}
        self.location: str = entry["location"]
        self.host = urlsplit(self.location).hostname or self.location
        self.hub_url: Optional[str] = entry.get("hub_url")
        self._media_token: Optional[str] = entry.get("media_token")
        self.label = f"{NAME} {self.host}"
        self.backoff = backoff or Backoff(initial_s=2.0, cap_s=60.0)
        self.poll_s = poll_s
        self.subscribed = False
        self.connects = 0
        self.last_error: Optional[str] = None
        self._dmr: Optional[DmrDevice] = None
        self._changed = asyncio.Event()
        self._refreshing: Optional[asyncio.Future] = None
        self._lost = asyncio.Event()  # a command found the renderer not answering: reconnect now
        self._lost_reason = ""

    # --- connection --------------------------------------------------------------------

    async def _session(self) -> None:
        async with aiohttp.ClientSession() as session:
            requester = AiohttpSessionRequester(session, with_sleep=False, timeout=REQUEST_TIMEOUT_S)
            try:
                upnp = await UpnpFactory(requester, non_strict=True).async_create_device(self.location)
            except (UpnpError, aiohttp.ClientError, asyncio.TimeoutError) as e:
                raise BridgeError(f"no DLNA renderer answered at {self.location} ({e or type(e).__name__})") from None
            if not DmrDevice.is_profile_device(upnp):
                raise BridgeError(f"{upnp.friendly_name} at {self.location} is not a DLNA media renderer")
            # Events come back to us over HTTP: listen on our address on the route to the renderer.
            notify = AiohttpNotifyServer(requester, source=(local_address(self.host), 0))
            await notify.async_start_server()
            dmr = DmrDevice(upnp, notify.event_handler)
            dmr.on_event = self._on_event
            try:
                try:
                    await dmr.async_subscribe_services(auto_resubscribe=True)
                    self.subscribed = True
                except UpnpError as e:  # some renderers refuse events: polling alone still works
                    log.info("%s: no event subscription (%s); polling every %.0f s", self.label, e, self.poll_s)
                    self.subscribed = False
                await dmr.async_update()
                self._lost.clear()
                self._dmr, self.last_error = dmr, None
                self.connects += 1
                self.backoff.reset()
                self._report_state()
                while True:  # ends by an exception when the renderer stops answering
                    with suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._lost.wait(), self.poll_s)
                    if self._lost.is_set():
                        raise BridgeError(self._lost_reason)
                    await dmr.async_update(do_ping=True)
                    self._report_state()
            finally:
                self._dmr = None
                self._changed.set()  # wake a command waiting for a confirmation: it fails now
                with suppress(Exception):
                    await asyncio.wait_for(dmr.async_unsubscribe_services(), REQUEST_TIMEOUT_S)
                with suppress(Exception):
                    await asyncio.wait_for(notify.async_stop_server(), REQUEST_TIMEOUT_S)

    def _down(self, error: Optional[BaseException]) -> None:
        self._dmr = None
        self.last_error = str(error) if error else "the renderer stopped answering"
        self._report(self.device.id, {"available": False})

    # --- state ---------------------------------------------------------------------------

    def _on_event(self, _service: Any, _variables: Any) -> None:
        self._changed.set()
        if self._dmr is not None and (self._refreshing is None or self._refreshing.done()):
            self._refreshing = asyncio.ensure_future(self._refresh(self._dmr))

    async def _refresh(self, dmr: DmrDevice) -> None:
        """After an event, read the position too (it is never evented: a pause at the renderer's
        remote must carry where it paused), then report."""
        with suppress(Exception):  # a renderer gone is the poll loop's to find
            await dmr.async_update(do_ping=True)
        self._report_state()

    def _patch(self, dmr: DmrDevice) -> StatePatch:
        patch: StatePatch = {"available": True, "on": True}  # a renderer that answers is on
        if dmr.has_volume_level and dmr.volume_level is not None:
            patch["volume"] = round(dmr.volume_level * 100)
        if dmr.has_volume_mute and dmr.is_volume_muted is not None:
            patch["muted"] = bool(dmr.is_volume_muted)
        return patch

    def _report_state(self) -> None:
        """Volume, mute, and what its transport does (someone may use the renderer's own remote)."""
        dmr = self._dmr
        if dmr is None:
            return
        patch = self._patch(dmr)
        transport = TRANSPORTS.get(dmr.transport_state)
        if transport is not None:
            patch["transport"] = transport
            if transport == "paused" and (position := rel_time(dmr)) is not None:
                patch["position_s"] = position
        self._report(self.device.id, patch)

    def _require(self) -> DmrDevice:
        if self._dmr is None:
            raise NotConfirmed(f"the DLNA renderer at {self.host} did not answer (not connected: "
                               f"{self.last_error or 'connecting'})")
        return self._dmr

    async def _until(self, wanted: Wanted) -> DmrDevice:
        """Wait for the renderer to reach a state: an event says so, or asking again does.
        The caller bounds the wait (the manager's 2 s)."""
        while True:
            dmr = self._require()
            if wanted(dmr):
                return dmr
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), CONFIRM_POLL_S)
            except asyncio.TimeoutError:
                await dmr.async_update(do_ping=True)

    # --- commands ------------------------------------------------------------------------

    async def execute(self, device_id: str, command: Command) -> StatePatch:
        dmr = self._require()
        try:
            return await self._execute(dmr, command)
        except UpnpActionError as e:
            raise BridgeError(f"the DLNA renderer at {self.host} refused {command.action} ({e})") from None
        except BridgeError:
            raise
        except asyncio.CancelledError:  # the caller's time limit: a renderer this slow is reconnected
            self._drop(f"{command.action} was not confirmed in time")
            raise
        except Exception as e:  # noqa: BLE001 - sorted below
            if self._dmr is not dmr:  # the connection went down under the command (its HTTP session closed)
                raise NotConfirmed(f"the DLNA renderer at {self.host} did not answer (it went away: "
                                   f"{self.last_error})") from None
            if isinstance(e, (UpnpCommunicationError, aiohttp.ClientError)):
                detail = str(e) or type(e).__name__
                self._drop(detail)
                raise NotConfirmed(f"the DLNA renderer at {self.host} did not answer ({detail})") from None
            raise

    def _drop(self, reason: str) -> None:
        """Reconnect rather than trust a connection a command found broken: the reconnect reads
        the renderer's real state, so the twin matches it once it answers again."""
        self._lost_reason = f"the renderer stopped answering ({reason})"
        self._lost.set()

    async def _execute(self, dmr: DmrDevice, command: Command) -> StatePatch:
        a = command.args
        if command.action == "playback.play":
            return await self._play(dmr, a)
        if command.action == "playback.pause":
            await dmr.async_pause()
            dmr = await self._until(lambda d: d.transport_state == TransportState.PAUSED_PLAYBACK)
            return {**self._patch(dmr), **await self._position(dmr)}
        if command.action == "playback.resume":
            await dmr.async_play()
            return self._patch(await self._until(lambda d: d.transport_state == TransportState.PLAYING))
        if command.action == "playback.stop":
            where = await self._position(dmr)  # read before stopping: a stopped renderer forgets it
            if dmr.transport_state not in STOPPED:
                await dmr.async_stop()
                dmr = await self._until(lambda d: d.transport_state in STOPPED)
            return {**self._patch(dmr), **where}
        if command.action == "playback.volume":
            return await self._volume(dmr, a)
        if command.action == "device.power":
            if a.get("on"):
                return self._patch(dmr)  # it answers, so it is on
            raise BridgeError("a DLNA renderer cannot be switched off over DLNA; stop what plays on it instead")
        raise BridgeError(f"a DLNA renderer cannot do {command.action} from twinspace")

    async def _play(self, dmr: DmrDevice, a: dict[str, Any]) -> StatePatch:
        if not a.get("url"):
            raise BridgeError(f"{a.get('title') or a.get('content')} has no stream a renderer can fetch")
        stream, mime = a["url"], a.get("mime")
        if stream.endswith(VOD_HLS) and "/media/vod/" in stream and not plays_hls(dmr):
            # DLNA's baseline is a file over HTTP with byte ranges: the title's own file, not its HLS.
            stream, mime = stream[:-len(VOD_HLS)], "video/mp4"
        url = device_url(stream, self.hub_url, self._media_token, who="the renderer",
                         how_to_fix="add it again with --hub-url")
        title = a.get("title") or ""
        mime = mime or (HLS_MIME if ".m3u8" in url else "video/mp4")
        # Metadata given outright: the library would otherwise fetch the URL to guess its type.
        meta = await dmr.construct_play_media_metadata(url, title, override_mime_type=mime,
                                                       override_dlna_features="*",
                                                       override_upnp_class="object.item.videoItem")
        await dmr.async_set_transport_uri(url, title, meta)
        await dmr.async_wait_for_can_play(max_wait_time=1.0)
        await dmr.async_play()
        dmr = await self._until(lambda d: d.transport_state == TransportState.PLAYING and d.av_transport_uri == url)
        position = float(a.get("position_s") or 0)
        if position >= 1 and dmr.has_seek_rel_time:
            await dmr.async_seek_rel_time(timedelta(seconds=int(position)))
            dmr = await self._until(lambda d: (d.media_position or 0) >= int(position) - 1)
        return self._patch(dmr)

    async def _position(self, dmr: DmrDevice) -> StatePatch:
        """The renderer's own position (GetPositionInfo), when it plays or is paused."""
        await dmr.async_update(do_ping=True)  # polls GetPositionInfo while playing or paused
        if dmr.transport_state not in (TransportState.PLAYING, TransportState.PAUSED_PLAYBACK):
            return {}
        position = rel_time(dmr)
        return {} if position is None else {"position_s": position}

    async def _volume(self, dmr: DmrDevice, a: dict[str, Any]) -> StatePatch:
        if a.get("level") is not None:
            if not dmr.has_volume_level:
                raise BridgeError(f"{dmr.name} has no volume control (its DLNA renderer has no RenderingControl)")
            level = int(a["level"])
            await dmr.async_set_volume_level(level / 100)
            dmr = await self._until(lambda d: d.volume_level is not None and round(d.volume_level * 100) == level)
        if a.get("mute") is not None:
            if not dmr.has_volume_mute:
                raise BridgeError(f"{dmr.name} cannot be muted over DLNA")
            mute = bool(a["mute"])
            await dmr.async_mute_volume(mute)
            dmr = await self._until(lambda d: d.is_volume_muted is mute)
        return self._patch(dmr)

    def diagnostics(self) -> dict[str, Any]:
        from twinspace.bridges.dlna.diagnostics import diagnostics

        return diagnostics(self)


def plays_hls(dmr: DmrDevice) -> bool:
    """Whether the renderer lists HLS among what it plays (ConnectionManager's sink protocols)."""
    return any(info.split(":")[2].lower() in HLS_MIMES for info in dmr.sink_protocol_info if info.count(":") >= 3)


def rel_time(dmr: DmrDevice) -> Optional[float]:
    """AVTransport's RelTime in seconds, to the fraction a renderer gives ("0:01:02.500"):
    `DmrDevice.media_position` counts whole seconds. A renderer that counts whole seconds is
    somewhere in the second it names, so its middle is the best guess (at most ½ s off)."""
    for service in dmr.profile_device.all_services:
        if service.service_id == AVT_SERVICE_ID and service.has_state_variable("RelativeTimePosition"):
            raw = service.state_variable("RelativeTimePosition").value
            at = str_to_time(raw) if raw and raw != "NOT_IMPLEMENTED" else None
            if at is None:
                return None
            return at.total_seconds() + (0.0 if "." in raw else 0.5)
    return None
