"""A fake DLNA media renderer on its own loopback address, built with async-upnp-client's
server side: a `UpnpServer` serving a MediaRenderer:1 device with AVTransport:1,
RenderingControl:1 and ConnectionManager:1 (device and service descriptions, SOAP control,
GENA SUBSCRIBE with LastChange events), and an SSDP search responder that answers unicast
M-SEARCH on loopback (multicast does not reach loopback reliably).

The test is the person at the renderer: `press_volume`, `press_pause`; `unplug` and `plug`
pull and restore its power cord (open connections are dropped); `hang` makes it take
transport commands without answering. Its clock runs for real, so positions advance.

No `from __future__ import annotations` here: the server checks each action's parameter
annotations against its state variables' Python types.
"""

import asyncio
import socket
import time
import xml.etree.ElementTree as ET
from functools import partial
from typing import Any, Optional, cast

from aiohttp.web import Application, AppRunner, TCPSite
from async_upnp_client.client import UpnpRequester, UpnpStateVariable
from async_upnp_client.const import DeviceInfo, ServiceInfo
from async_upnp_client.server import (
    SsdpSearchResponder,
    UpnpServer,
    UpnpServerDevice,
    UpnpServerService,
    action_handler,
    callable_action,
    create_event_var,
    create_state_var,
    subscribe_handler,
    to_xml,
    unsubscribe_handler,
)
from async_upnp_client.ssdp import SsdpProtocol, get_ssdp_socket

from doubles.loopback import LoopbackServer

UDN = "uuid:7c9c6f2e-1f0a-4d3b-9a51-twinspace-dmr"
AVT_NS = "urn:schemas-upnp-org:metadata-1-0/AVT/"
RCS_NS = "urn:schemas-upnp-org:metadata-1-0/RCS/"
DURATION_S = 3600


def _service(name: str) -> ServiceInfo:
    return ServiceInfo(service_id=f"urn:upnp-org:serviceId:{name}",
                       service_type=f"urn:schemas-upnp-org:service:{name}:1",
                       control_url=f"/upnp/control/{name}1", event_sub_url=f"/upnp/event/{name}1",
                       scpd_url=f"/{name}_1.xml", xml=ET.Element("server_service"))


def hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _last_change(namespace: str, values: dict[str, str], channel: bool = False) -> str:
    event = ET.Element("Event", xmlns=namespace)
    instance = ET.SubElement(event, "InstanceID", val="0")
    for name, value in values.items():
        attrs = {"val": value, **({"channel": "Master"} if channel else {})}
        ET.SubElement(instance, name, attrs)
    return ET.tostring(event, encoding="unicode")


class AVTransport(UpnpServerService):
    SERVICE_DEFINITION = _service("AVTransport")
    STATE_VARIABLE_DEFINITIONS = {
        "LastChange": create_event_var("string", default=""),
        "A_ARG_TYPE_InstanceID": create_state_var("ui4"),
        "TransportState": create_state_var("string", default="NO_MEDIA_PRESENT", allowed=[
            "STOPPED", "PLAYING", "PAUSED_PLAYBACK", "TRANSITIONING", "NO_MEDIA_PRESENT"]),
        "TransportStatus": create_state_var("string", default="OK", allowed=["OK", "ERROR_OCCURRED"]),
        "TransportPlaySpeed": create_state_var("string", default="1"),
        "AVTransportURI": create_state_var("string", default=""),
        "AVTransportURIMetaData": create_state_var("string", default=""),
        "NextAVTransportURI": create_state_var("string", default="NOT_IMPLEMENTED"),
        "NextAVTransportURIMetaData": create_state_var("string", default="NOT_IMPLEMENTED"),
        "CurrentTrack": create_state_var("ui4", default="0"),
        "NumberOfTracks": create_state_var("ui4", default="0"),
        "CurrentTrackURI": create_state_var("string", default=""),
        "CurrentTrackMetaData": create_state_var("string", default=""),
        "CurrentTrackDuration": create_state_var("string", default="0:00:00"),
        "CurrentMediaDuration": create_state_var("string", default="0:00:00"),
        "RelativeTimePosition": create_state_var("string", default="0:00:00"),
        "AbsoluteTimePosition": create_state_var("string", default="0:00:00"),
        "RelativeCounterPosition": create_state_var("i4", default="0"),
        "AbsoluteCounterPosition": create_state_var("i4", default="0"),
        "CurrentTransportActions": create_state_var("string", default=""),
        "PlaybackStorageMedium": create_state_var("string", default="NETWORK"),
        "RecordStorageMedium": create_state_var("string", default="NOT_IMPLEMENTED"),
        "RecordMediumWriteStatus": create_state_var("string", default="NOT_IMPLEMENTED"),
        "PossiblePlaybackStorageMedia": create_state_var("string", default="NETWORK"),
        "PossibleRecordStorageMedia": create_state_var("string", default="NOT_IMPLEMENTED"),
        "PossibleRecordQualityModes": create_state_var("string", default="NOT_IMPLEMENTED"),
        "CurrentPlayMode": create_state_var("string", default="NORMAL", allowed=["NORMAL"]),
        "CurrentRecordQualityMode": create_state_var("string", default="NOT_IMPLEMENTED"),
        "A_ARG_TYPE_SeekMode": create_state_var("string", allowed=["REL_TIME", "ABS_TIME"]),
        "A_ARG_TYPE_SeekTarget": create_state_var("string"),
    }

    def __init__(self, requester: UpnpRequester) -> None:
        super().__init__(requester)
        self.renderer: Any = None  # the FakeRenderer, set once the device exists
        self._base = 0.0  # position when the clock last started or stopped
        self._since: Optional[float] = None  # monotonic time playback (re)started

    # --- the renderer's own playback ---------------------------------------------------

    def position(self) -> float:
        advanced = time.monotonic() - self._since if self._since is not None else 0.0
        return min(self._base + advanced, DURATION_S)

    def _set(self, **values: str) -> None:
        """Change state variables and event them in one LastChange, as renderers do."""
        for name, value in values.items():
            self.state_variable(name).upnp_value = value
        self.state_variable("LastChange").value = _last_change(AVT_NS, values)

    def _transport(self, state: str, **more: str) -> None:
        actions = {"PLAYING": "Pause,Stop,Seek", "PAUSED_PLAYBACK": "Play,Stop,Seek", "STOPPED": "Play,Seek"}
        self._set(**more, TransportState=state, CurrentTransportActions=actions.get(state, ""))

    def remote_pause(self) -> None:
        self._base, self._since = self.position(), None
        self._transport("PAUSED_PLAYBACK")

    def remote_stop(self) -> None:
        self._base, self._since = 0.0, None
        self._transport("STOPPED")

    async def _maybe_hang(self, action: str) -> None:
        self.renderer.received.append(action)
        if self.renderer.hang:
            await asyncio.Event().wait()  # takes the command, never answers; unplugging ends it

    # --- actions -------------------------------------------------------------------------

    @callable_action(name="SetAVTransportURI", in_args={
        "InstanceID": "A_ARG_TYPE_InstanceID", "CurrentURI": "AVTransportURI",
        "CurrentURIMetaData": "AVTransportURIMetaData"}, out_args={})
    async def set_av_transport_uri(self, InstanceID: int, CurrentURI: str, CurrentURIMetaData: str) -> dict:
        await self._maybe_hang("SetAVTransportURI")
        self.renderer.uris.append(CurrentURI)
        self._base, self._since = 0.0, None
        self._transport("STOPPED", AVTransportURI=CurrentURI, AVTransportURIMetaData=CurrentURIMetaData,
                        CurrentTrackURI=CurrentURI, CurrentTrackMetaData=CurrentURIMetaData, NumberOfTracks="1",
                        CurrentTrack="1", CurrentTrackDuration=hms(DURATION_S), CurrentMediaDuration=hms(DURATION_S))
        return {}

    @callable_action(name="Play", in_args={"InstanceID": "A_ARG_TYPE_InstanceID", "Speed": "TransportPlaySpeed"},
                     out_args={})
    async def play(self, InstanceID: int, Speed: str) -> dict:
        await self._maybe_hang("Play")
        if self._since is None:
            self._since = time.monotonic()
        self._transport("PLAYING")
        return {}

    @callable_action(name="Pause", in_args={"InstanceID": "A_ARG_TYPE_InstanceID"}, out_args={})
    async def pause(self, InstanceID: int) -> dict:
        await self._maybe_hang("Pause")
        self._base, self._since = self.position(), None
        self._transport("PAUSED_PLAYBACK")
        return {}

    @callable_action(name="Stop", in_args={"InstanceID": "A_ARG_TYPE_InstanceID"}, out_args={})
    async def stop(self, InstanceID: int) -> dict:
        await self._maybe_hang("Stop")
        self.renderer.stopped_at.append(self.position())
        self._base, self._since = 0.0, None
        self._transport("STOPPED")
        return {}

    @callable_action(name="Seek", in_args={"InstanceID": "A_ARG_TYPE_InstanceID", "Unit": "A_ARG_TYPE_SeekMode",
                                           "Target": "A_ARG_TYPE_SeekTarget"}, out_args={})
    async def seek(self, InstanceID: int, Unit: str, Target: str) -> dict:
        await self._maybe_hang("Seek")
        h, m, s = (float(p) for p in Target.split(":"))
        self._base = h * 3600 + m * 60 + s
        if self._since is not None:
            self._since = time.monotonic()
        self.renderer.seeks.append(self._base)
        return {}

    @callable_action(name="GetTransportInfo", in_args={"InstanceID": "A_ARG_TYPE_InstanceID"}, out_args={
        "CurrentTransportState": "TransportState", "CurrentTransportStatus": "TransportStatus",
        "CurrentSpeed": "TransportPlaySpeed"})
    async def get_transport_info(self, InstanceID: int) -> dict:
        return {"CurrentTransportState": self.state_variable("TransportState"),
                "CurrentTransportStatus": self.state_variable("TransportStatus"),
                "CurrentSpeed": self.state_variable("TransportPlaySpeed")}

    @callable_action(name="GetPositionInfo", in_args={"InstanceID": "A_ARG_TYPE_InstanceID"}, out_args={
        "Track": "CurrentTrack", "TrackDuration": "CurrentTrackDuration", "TrackMetaData": "CurrentTrackMetaData",
        "TrackURI": "CurrentTrackURI", "RelTime": "RelativeTimePosition", "AbsTime": "AbsoluteTimePosition",
        "RelCount": "RelativeCounterPosition", "AbsCount": "AbsoluteCounterPosition"})
    async def get_position_info(self, InstanceID: int) -> dict:
        at = hms(self.position())
        self.state_variable("RelativeTimePosition").value = at  # never evented (not in LastChange)
        self.state_variable("AbsoluteTimePosition").value = at
        names = {"Track": "CurrentTrack", "TrackDuration": "CurrentTrackDuration",
                 "TrackMetaData": "CurrentTrackMetaData", "TrackURI": "CurrentTrackURI",
                 "RelTime": "RelativeTimePosition", "AbsTime": "AbsoluteTimePosition",
                 "RelCount": "RelativeCounterPosition", "AbsCount": "AbsoluteCounterPosition"}
        return {arg: self.state_variable(var) for arg, var in names.items()}

    @callable_action(name="GetMediaInfo", in_args={"InstanceID": "A_ARG_TYPE_InstanceID"}, out_args={
        "NrTracks": "NumberOfTracks", "MediaDuration": "CurrentMediaDuration", "CurrentURI": "AVTransportURI",
        "CurrentURIMetaData": "AVTransportURIMetaData", "NextURI": "NextAVTransportURI",
        "NextURIMetaData": "NextAVTransportURIMetaData", "PlayMedium": "PlaybackStorageMedium",
        "RecordMedium": "RecordStorageMedium", "WriteStatus": "RecordMediumWriteStatus"})
    async def get_media_info(self, InstanceID: int) -> dict:
        names = {"NrTracks": "NumberOfTracks", "MediaDuration": "CurrentMediaDuration", "CurrentURI": "AVTransportURI",
                 "CurrentURIMetaData": "AVTransportURIMetaData", "NextURI": "NextAVTransportURI",
                 "NextURIMetaData": "NextAVTransportURIMetaData", "PlayMedium": "PlaybackStorageMedium",
                 "RecordMedium": "RecordStorageMedium", "WriteStatus": "RecordMediumWriteStatus"}
        return {arg: self.state_variable(var) for arg, var in names.items()}

    @callable_action(name="GetCurrentTransportActions", in_args={"InstanceID": "A_ARG_TYPE_InstanceID"},
                     out_args={"Actions": "CurrentTransportActions"})
    async def get_current_transport_actions(self, InstanceID: int) -> dict:
        return {"Actions": self.state_variable("CurrentTransportActions")}

    @callable_action(name="GetDeviceCapabilities", in_args={"InstanceID": "A_ARG_TYPE_InstanceID"}, out_args={
        "PlayMedia": "PossiblePlaybackStorageMedia", "RecMedia": "PossibleRecordStorageMedia",
        "RecQualityModes": "PossibleRecordQualityModes"})
    async def get_device_capabilities(self, InstanceID: int) -> dict:
        return {"PlayMedia": self.state_variable("PossiblePlaybackStorageMedia"),
                "RecMedia": self.state_variable("PossibleRecordStorageMedia"),
                "RecQualityModes": self.state_variable("PossibleRecordQualityModes")}

    @callable_action(name="GetTransportSettings", in_args={"InstanceID": "A_ARG_TYPE_InstanceID"}, out_args={
        "PlayMode": "CurrentPlayMode", "RecQualityMode": "CurrentRecordQualityMode"})
    async def get_transport_settings(self, InstanceID: int) -> dict:
        return {"PlayMode": self.state_variable("CurrentPlayMode"),
                "RecQualityMode": self.state_variable("CurrentRecordQualityMode")}


class RenderingControl(UpnpServerService):
    SERVICE_DEFINITION = _service("RenderingControl")
    STATE_VARIABLE_DEFINITIONS = {
        "LastChange": create_event_var("string", default=""),
        "A_ARG_TYPE_InstanceID": create_state_var("ui4"),
        "A_ARG_TYPE_Channel": create_state_var("string", allowed=["Master"]),
        "Volume": create_state_var("ui2", default="30", allowed_range={"min": "0", "max": "100", "step": "1"}),
        "Mute": create_state_var("boolean", default="0"),
    }

    def set(self, name: str, value: Any) -> None:
        self.state_variable(name).value = value
        upnp = self.state_variable(name).upnp_value
        self.state_variable("LastChange").value = _last_change(RCS_NS, {name: upnp}, channel=True)

    @callable_action(name="GetVolume", in_args={"InstanceID": "A_ARG_TYPE_InstanceID",
                                                "Channel": "A_ARG_TYPE_Channel"}, out_args={"CurrentVolume": "Volume"})
    async def get_volume(self, InstanceID: int, Channel: str) -> dict:
        return {"CurrentVolume": self.state_variable("Volume")}

    @callable_action(name="SetVolume", in_args={"InstanceID": "A_ARG_TYPE_InstanceID", "Channel": "A_ARG_TYPE_Channel",
                                                "DesiredVolume": "Volume"}, out_args={})
    async def set_volume(self, InstanceID: int, Channel: str, DesiredVolume: int) -> dict:
        self.set("Volume", DesiredVolume)
        return {}

    @callable_action(name="GetMute", in_args={"InstanceID": "A_ARG_TYPE_InstanceID",
                                              "Channel": "A_ARG_TYPE_Channel"}, out_args={"CurrentMute": "Mute"})
    async def get_mute(self, InstanceID: int, Channel: str) -> dict:
        return {"CurrentMute": self.state_variable("Mute")}

    @callable_action(name="SetMute", in_args={"InstanceID": "A_ARG_TYPE_InstanceID", "Channel": "A_ARG_TYPE_Channel",
                                              "DesiredMute": "Mute"}, out_args={})
    async def set_mute(self, InstanceID: int, Channel: str, DesiredMute: bool) -> dict:
        self.set("Mute", DesiredMute)
        return {}


class ConnectionManager(UpnpServerService):
    SERVICE_DEFINITION = _service("ConnectionManager")
    STATE_VARIABLE_DEFINITIONS = {
        "SourceProtocolInfo": create_event_var("string", default=""),
        "SinkProtocolInfo": create_event_var(
            "string", default="http-get:*:application/vnd.apple.mpegurl:*,http-get:*:video/mp4:*"),
        "CurrentConnectionIDs": create_event_var("string", default="0"),
    }

    @callable_action(name="GetProtocolInfo", in_args={}, out_args={"Source": "SourceProtocolInfo",
                                                                   "Sink": "SinkProtocolInfo"})
    async def get_protocol_info(self) -> dict:
        return {"Source": self.state_variable("SourceProtocolInfo"), "Sink": self.state_variable("SinkProtocolInfo")}


class MediaRenderer(UpnpServerDevice):
    DEVICE_DEFINITION = DeviceInfo(
        device_type="urn:schemas-upnp-org:device:MediaRenderer:1", friendly_name="Kitchen renderer",
        manufacturer="twinspace tests", manufacturer_url=None, model_name="FakeDMR", model_url=None, udn=UDN,
        upc=None, model_description="A DLNA renderer for the bridge tests", model_number="1", serial_number="1",
        presentation_url=None, url="/device.xml", icons=[], xml=ET.Element("server_device"))
    EMBEDDED_DEVICES: list = []
    SERVICES = [AVTransport, RenderingControl, ConnectionManager]


class LoopbackSearchResponder(SsdpSearchResponder):
    """Answers M-SEARCH sent to this renderer's own loopback address (unicast), from it."""

    async def async_start(self) -> None:
        response_sock, _, _ = get_ssdp_socket(self.source, self.target)
        response_sock.bind((self.source[0], 0))  # replies come from the renderer's address
        await self._loop.create_datagram_endpoint(
            lambda: SsdpProtocol(self._loop, on_connect=self._on_connect_response), sock=response_sock)
        sock, _, _ = get_ssdp_socket(self.source, self.target)
        sock.bind(self.target)
        await self._loop.create_datagram_endpoint(
            lambda: SsdpProtocol(self._loop, on_connect=self._on_connect, on_data=self._on_data), sock=sock)

    async def async_stop(self) -> None:
        for transport in (self._transport, self._response_transport):
            if transport is not None:
                transport.close()


class LoopbackUpnpServer(UpnpServer):
    """UpnpServer on one loopback address: the HTTP side kept so that unplugging drops open
    connections too, SSDP answering unicast searches only, and the device (its state) kept
    across unplug and plug, as a renderer keeps its volume through a power cut."""

    _runner: Optional[AppRunner] = None

    def _create_device(self) -> None:
        if self._device is None:
            super()._create_device()

    async def _async_start_http_server(self) -> None:
        device = self._device
        assert device is not None
        app = Application()
        app.router.add_get(device.device_url, partial(to_xml, device))
        for service in device.all_services:
            service = cast(UpnpServerService, service)
            definition = service.SERVICE_DEFINITION
            app.router.add_get(definition.scpd_url, partial(to_xml, service))
            app.router.add_post(definition.control_url, partial(action_handler, service))
            app.router.add_route("SUBSCRIBE", definition.event_sub_url, partial(subscribe_handler, service))
            app.router.add_route("UNSUBSCRIBE", definition.event_sub_url, partial(unsubscribe_handler, service))
        self._runner = AppRunner(app, handler_cancellation=True, shutdown_timeout=0.1)  # a cord pulled: no grace
        await self._runner.setup()
        await TCPSite(self._runner, self.source[0], self.http_port, reuse_address=True).start()

    async def _async_start_ssdp(self) -> None:
        assert self._device is not None
        self._search_responder = LoopbackSearchResponder(self._device, source=self.source, target=self.target)
        await self._search_responder.async_start()

    async def _async_stop_http_server(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()  # closes open connections: a hung command sees the cord pulled
            self._runner = None


def free_port(host: str, kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class FakeRenderer(LoopbackServer):
    def __init__(self, host: str, *, hls: bool = True) -> None:
        super().__init__(f"fake-dmr-{host}")
        self.host = host
        self.port = free_port(host, socket.SOCK_STREAM)
        self.ssdp_port = free_port(host, socket.SOCK_DGRAM)
        self.location = f"http://{host}:{self.port}/device.xml"
        self.hang = False
        self.uris: list[str] = []  # every SetAVTransportURI, in order
        self.seeks: list[float] = []
        self.stopped_at: list[float] = []  # the position at each Stop
        self.received: list[str] = []  # every transport action asked
        self._server = LoopbackUpnpServer(MediaRenderer, (host, 0), target=(host, self.ssdp_port),
                                          http_port=self.port)
        self._on = False
        self.hls = hls  # whether it plays HLS, as its ConnectionManager's sink protocols say

    @property
    def on(self) -> bool:
        return self._on

    async def _start(self) -> None:
        if self._on:
            return
        await self._server.async_start()
        self.avt.renderer = self
        if not self.hls:
            sink = self._device.service("urn:schemas-upnp-org:service:ConnectionManager:1")
            sink.state_variable("SinkProtocolInfo").value = "http-get:*:video/mp4:*,http-get:*:audio/mpeg:*"
        self._on = True

    async def _stop(self) -> None:
        if self._on:
            await self._server.async_stop()
            self._on = False

    @property
    def _device(self) -> MediaRenderer:
        device = self._server._device  # noqa: SLF001 - the double's own server
        assert device is not None
        return cast(MediaRenderer, device)

    @property
    def avt(self) -> AVTransport:
        return cast(AVTransport, self._device.service("urn:schemas-upnp-org:service:AVTransport:1"))

    @property
    def rc(self) -> RenderingControl:
        return cast(RenderingControl, self._device.service("urn:schemas-upnp-org:service:RenderingControl:1"))

    # --- what the test reads and does ------------------------------------------------------

    @property
    def transport_state(self) -> str:
        return self.avt.state_variable("TransportState").value

    @property
    def volume(self) -> int:
        return self.rc.state_variable("Volume").value

    @property
    def muted(self) -> bool:
        return self.rc.state_variable("Mute").value

    def position(self) -> float:
        return self.avt.position()

    def set_volume(self, level: int) -> None:
        """Change the volume without telling anyone (while unplugged: its knob turned meanwhile)."""
        self.rc.state_variable("Volume").value = level

    def press_volume(self, level: int) -> None:
        """The renderer's own remote."""
        self._run(self._call(lambda: self.rc.set("Volume", level)))

    def press_pause(self) -> None:
        self._run(self._call(self.avt.remote_pause))

    def press_stop(self) -> None:
        self._run(self._call(self.avt.remote_stop))

    @staticmethod
    async def _call(fn: Any) -> None:
        fn()  # on the renderer's loop: events are sent from there
