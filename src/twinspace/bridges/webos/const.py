"""LG webOS bridge constants."""

DOMAIN = "webos"
NAME = "LG webOS TV"
SSDP_ST = "urn:lge-com:service:webos-second-screen:1"
MEDIA_VIEWER_OPEN = "media.viewer/open"  # the TV's own media player, given a URL (HLS or a file)
WOL_PORT = 9
POWER_ON_TIMEOUT_S = 20.0  # a TV woken from its sleep needs seconds to boot before it answers
PAIR_TIMEOUT_S = 60.0  # time for the person to accept the prompt on the screen
ISSUE_718 = ("webOS firmware from 2026 (webOS 26) refuses the pairing signature most open-source clients "
             "sent (aiowebostv#718)")
