"""Home Assistant bridge constants."""

DOMAIN = "homeassistant"
NAME = "Home Assistant"
ZEROCONF_TYPE = "_home-assistant._tcp.local."
WEBSOCKET_PATH = "/api/websocket"

# Home Assistant entity domains the bridge drives, and the twin device kind each becomes.
KIND_OF_DOMAIN = {"light": "light", "switch": "other", "media_player": "tv", "fan": "other"}
UNAVAILABLE = ("unavailable", "unknown")
OFF_STATES = ("off", "standby", "unavailable", "unknown")
