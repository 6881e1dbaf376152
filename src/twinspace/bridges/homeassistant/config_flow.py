"""Setting up Home Assistant: find it (zeroconf), check the URL and token, read its areas
and entities, and propose how they map onto the twin's rooms and devices.

The proposal is plain data the owner confirms or edits (`twinspace bridge homeassistant`
prints it, writes it to a file to edit, and applies it); applying it binds twin devices to
entities (`bridge: {"type": "homeassistant", "entity": ...}`) and adds devices for entities
the twin did not have.
"""

from __future__ import annotations

import asyncio
import difflib
import re
from dataclasses import asdict, dataclass
from typing import Any, Literal, Optional

import aiohttp
from hass_client import HomeAssistantClient
from hass_client.exceptions import AuthenticationFailed, BaseHassClientError

from twinspace.bridges.base import BridgeError, Discovered
from twinspace.bridges.homeassistant.const import DOMAIN, KIND_OF_DOMAIN, NAME, ZEROCONF_TYPE
from twinspace.bridges.homeassistant.coordinator import refused_token_message, websocket_url
from twinspace.bridges.homeassistant.states import domain_of, friendly_name
from twinspace.home.model import Device, Home

MATCH_AT = 0.6  # name similarity (0-1) above which an entity is taken for an existing device
COMPATIBLE = {"light": {"light"}, "media_player": {"tv", "speaker"}, "switch": {"other", "light"},
              "fan": {"other"}}


@dataclass
class Proposal:
    entity: str
    name: str
    area: Optional[str]
    room: Optional[str]  # twin room id
    device: Optional[str]  # twin device id: bound if it exists, created if not
    kind: str
    action: Literal["bind", "create", "skip"]


@dataclass(frozen=True)
class Snapshot:
    """What Home Assistant told us: its version, areas (id → name), entities' areas and states."""

    version: str
    areas: dict[str, str]
    entity_areas: dict[str, Optional[str]]
    states: list[dict[str, Any]]


async def discover(timeout_s: float) -> list[Discovered]:
    """Home Assistant instances announcing `_home-assistant._tcp` over mDNS."""
    from zeroconf import ServiceStateChange
    from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

    found: dict[str, Discovered] = {}
    names: list[str] = []

    def changed(zeroconf: Any, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change is ServiceStateChange.Added:
            names.append(name)

    async with AsyncZeroconf() as azc:
        browser = AsyncServiceBrowser(azc.zeroconf, [ZEROCONF_TYPE], handlers=[changed])
        await asyncio.sleep(timeout_s)
        for name in names:
            info = AsyncServiceInfo(ZEROCONF_TYPE, name)
            if await info.async_request(azc.zeroconf, 1000) and info.parsed_addresses():
                props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
                found[name] = Discovered(DOMAIN, props.get("location_name") or name.split(".")[0],
                                         info.parsed_addresses()[0], info.port, props)
        await browser.async_cancel()
    return list(found.values())


async def fetch(url: str, token: str, timeout_s: float = 10.0) -> Snapshot:
    """Connect with the token and read areas, the entity registry and every state."""
    async with aiohttp.ClientSession() as http:
        client = HomeAssistantClient(websocket_url(url), token, http)
        try:
            async with asyncio.timeout(timeout_s):
                await client.connect()
                listener = asyncio.create_task(client.start_listening())
                try:
                    areas = await client.get_area_registry()
                    entities = await client.get_entity_registry()
                    states = await client.get_states()
                finally:
                    await client.disconnect()
                    listener.cancel()
        except AuthenticationFailed:
            raise BridgeError(refused_token_message(url)) from None
        except (BaseHassClientError, TimeoutError, OSError) as e:
            raise BridgeError(f"could not reach {NAME} at {url} ({e or type(e).__name__}); check the address "
                              f"and that Home Assistant is running") from None
    return Snapshot(client.version or "?", {a["area_id"]: a["name"] for a in areas},
                    {e["entity_id"]: e.get("area_id") for e in entities}, states)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _words(a), _words(b)).ratio()


def propose(home: Home, snapshot: Snapshot) -> list[Proposal]:
    """Each light, switch, fan and media player: its room by area name, and the twin device
    of a compatible kind with the closest name, or a new device when none is close."""
    proposals = []
    taken: set[str] = set()
    bound = {(d.bridge or {}).get("entity"): d.id for _, d in home.devices()
             if (d.bridge or {}).get("type") == DOMAIN}
    for state in sorted(snapshot.states, key=lambda s: s["entity_id"]):
        entity = state["entity_id"]
        domain = domain_of(entity)
        if domain not in KIND_OF_DOMAIN:
            continue
        name = friendly_name(state) or entity
        area = snapshot.areas.get(snapshot.entity_areas.get(entity) or "")
        room = max(home.rooms, key=lambda r: max(_similar(area, r.name), _similar(area, r.id))) if area else None
        if room is not None and area and max(_similar(area, room.name), _similar(area, room.id)) < MATCH_AT:
            room = None
        if entity in bound:
            found = home.device(bound[entity])
            taken.add(bound[entity])
            proposals.append(Proposal(entity, name, area, found[0].id if found else None, bound[entity],
                                      found[1].kind if found else KIND_OF_DOMAIN[domain], "bind"))
            continue
        candidates = [(r, d) for r, d in home.devices() if d.kind in COMPATIBLE[domain] and d.id not in taken
                      and (room is None or r.id == room.id) and not d.bridge]
        best = max(candidates, key=lambda rd: _similar(name, rd[1].name), default=None)
        if best is not None and _similar(name, best[1].name) >= MATCH_AT:
            taken.add(best[1].id)
            proposals.append(Proposal(entity, name, area, best[0].id, best[1].id, best[1].kind, "bind"))
        elif room is not None:
            new_id = re.sub(r"[^a-z0-9]+", "-", entity.partition(".")[2].lower()).strip("-") or "device"
            while home.device(new_id) is not None or any(p.device == new_id for p in proposals):
                new_id += "-ha"
            proposals.append(Proposal(entity, name, area, room.id, new_id, KIND_OF_DOMAIN[domain], "create"))
        else:
            proposals.append(Proposal(entity, name, area, None, None, KIND_OF_DOMAIN[domain], "skip"))
    return proposals


def as_json(url: str, proposals: list[Proposal]) -> dict[str, Any]:
    return {"url": url, "entities": [asdict(p) for p in proposals]}


def from_json(data: dict[str, Any]) -> list[Proposal]:
    try:
        return [Proposal(**{k: e.get(k) for k in Proposal.__dataclass_fields__}) for e in data["entities"]]
    except (KeyError, TypeError) as e:
        raise BridgeError(f"the mapping file must be {{'url': ..., 'entities': [...]}} as written by "
                          f"`twinspace bridge homeassistant --write FILE` ({e})") from None


def apply(home: Home, proposals: list[Proposal]) -> None:
    """Bind and create devices in `home` (a working copy) as the confirmed proposals say."""
    for p in proposals:
        if p.action == "skip":
            continue
        binding = {"type": DOMAIN, "entity": p.entity}
        found = home.device(p.device) if p.device else None
        if p.action == "bind":
            if found is None:
                raise BridgeError(f"{p.entity}: there is no device {p.device!r} to bind; use action 'create'")
            found[1].bridge = binding
        elif p.action == "create":
            room = home.room(p.room or "")
            if room is None or not p.device:
                raise BridgeError(f"{p.entity}: give the room and a new device id to create it in")
            if found is not None:
                raise BridgeError(f"{p.entity}: device {p.device!r} already exists; use action 'bind'")
            room.devices.append(Device(id=p.device, kind=p.kind, name=p.name, bridge=binding))
        else:
            raise BridgeError(f"{p.entity}: action must be bind, create or skip, not {p.action!r}")
