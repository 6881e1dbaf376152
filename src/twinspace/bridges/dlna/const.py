"""DLNA/UPnP media renderer bridge constants."""

DOMAIN = "dlna"
NAME = "DLNA media renderer"
SSDP_ST = "urn:schemas-upnp-org:device:MediaRenderer:1"
REQUEST_TIMEOUT_S = 2  # one UPnP request; a renderer slower than this is not answering
POLL_S = 5.0  # how often the renderer is asked its state: the position is never evented, and a ping finds it gone
CONFIRM_POLL_S = 0.25  # while confirming a command, ask again if no event came within this
HLS_MIME = "application/vnd.apple.mpegurl"
HLS_MIMES = frozenset({HLS_MIME, "application/x-mpegurl", "audio/mpegurl", "audio/x-mpegurl"})
VOD_HLS = "/index.m3u8"  # an on-demand title's HLS under the hub's /media/vod/<id>; the file itself is /media/vod/<id>
