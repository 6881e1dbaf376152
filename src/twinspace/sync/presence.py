"""Presence: who is connected to a home and where they look, over Yjs awareness.

The hub relays y-protocols awareness updates like any y-websocket server, with three
differences that make presence trustworthy: each state is stamped with the connection's
person, device and kind, and in a space the person's seat (clients cannot pose as someone
else or sit in another's seat), a connection may only set
the states of the Yjs client ids it introduced (or that the same device introduced on a
connection it has since replaced), and a connection's states are removed for everyone the
moment it closes (and after `timeout_ms` without an update, as y-protocols does).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Optional

from pycrdt import Awareness, Decoder, Doc, Encoder, create_awareness_message

from twinspace.geometry import Viewer, quat_rotate

KINDS = ("headset", "glasses", "tv", "browser", "phone", "other")
MAX_STATE_BYTES = 16_384  # a presence is a few hundred bytes; refuse to relay blobs
TIMEOUT_MS = 30_000  # y-protocols clients renew their state every 15 s


@dataclass(frozen=True)
class Identity:
    """What the hub knows about a connection, stamped into its presence."""

    person: Optional[str]
    device: Optional[str]
    kind: Optional[str]  # from the home's XR device list, when the device is in it


Entry = tuple[int, int, Optional[dict[str, Any]]]  # Yjs client id, clock, state (None: gone)
RoomAt = Callable[[float, float], Optional[str]]
Broadcast = Callable[[bytes], None]
SeatOf = Callable[[Optional[str]], Optional[str]]  # a person's seat id in the space, if any


def decode(update: bytes) -> list[Entry]:
    d = Decoder(update)
    out = []
    for _ in range(d.read_var_uint()):
        client, clock, raw = d.read_var_uint(), d.read_var_uint(), d.read_var_string()
        state = json.loads(raw) if raw else None
        out.append((client, clock, state if isinstance(state, dict) else None))
    return out


def encode(entries: list[Entry]) -> bytes:
    e = Encoder()
    e.write_var_uint(len(entries))
    for client, clock, state in entries:
        e.write_var_uint(client)
        e.write_var_uint(clock)
        e.write_var_string(json.dumps(state, separators=(",", ":")))
    return e.to_bytes()


def viewer_from(head: Any) -> Optional[Viewer]:
    """A presence's `head` ({position, yaw_deg} or {position, rotation}) as a Viewer."""
    if not isinstance(head, dict):
        return None
    try:
        position = tuple(float(c) for c in head["position"])
        if len(position) != 3 or not all(math.isfinite(c) for c in position):
            return None
        if "yaw_deg" in head:
            return Viewer(position, float(head["yaw_deg"]))  # type: ignore[arg-type]
        q = tuple(float(c) for c in head.get("rotation") or (0.0, 0.0, 0.0, 1.0))
        fx, _, fz = quat_rotate(q, (0.0, 0.0, -1.0))  # type: ignore[arg-type]
        return Viewer(position, math.degrees(math.atan2(-fx, -fz)))  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return None


class Presence:
    def __init__(self, doc: Doc, room_at: RoomAt, broadcast: Broadcast, timeout_ms: int = TIMEOUT_MS,
                 seat_of: SeatOf = lambda _person: None) -> None:
        self.awareness = Awareness(doc, outdated_timeout=timeout_ms)
        self.awareness.set_local_state(None)  # the hub itself is nobody's presence
        self.awareness.observe(self._on_awareness)
        self._room_at = room_at
        self._seat_of = seat_of
        self._broadcast = broadcast
        self._owner: dict[int, tuple[object, Identity]] = {}  # Yjs client id → who introduced it

    def receive(self, conn: object, identity: Identity, update: bytes) -> Optional[bytes]:
        """Apply a connection's awareness update; the message to relay to everyone, if any."""
        kept: list[Entry] = []
        for client, clock, state in decode(update):
            owner = self._owner.get(client)
            if owner is not None and owner[0] is not conn and owner[1] != identity:
                continue  # someone else's client id
            self._owner[client] = (conn, identity)  # a reconnecting client keeps its id
            if state is not None:
                state = self._stamp(state, identity)
                if len(json.dumps(state)) > MAX_STATE_BYTES:
                    continue
            kept.append((client, clock, state))
        if not kept:
            return None
        encoded = encode(kept)
        self.awareness.apply_awareness_update(encoded, conn)
        return create_awareness_message(encoded)

    def _stamp(self, state: dict[str, Any], identity: Identity) -> dict[str, Any]:
        claimed = state.get("kind")
        kind = identity.kind or (claimed if claimed in KINDS else "other")
        viewer = viewer_from(state.get("head"))
        room = self._room_at(viewer.position[0], viewer.position[2]) if viewer else None
        return {**state, "person": identity.person, "device": identity.device, "kind": kind, "room": room,
                "seat": self._seat_of(identity.person)}

    def everyone(self) -> Optional[bytes]:
        """All current states, for a client that just connected or asked."""
        clients = list(self.awareness.states)
        return create_awareness_message(self.awareness.encode_awareness_update(clients)) if clients else None

    def client_of(self, conn: object) -> Optional[int]:
        """The Yjs client id a connection edits with (the one it announced presence for)."""
        return next((c for c, (owner, _) in self._owner.items() if owner is conn), None)

    def viewer(self, conn: object) -> Optional[Viewer]:
        for client, (owner, _) in self._owner.items():
            if owner is conn and (v := viewer_from(self.awareness.states.get(client, {}).get("head"))):
                return v
        return None

    def drop(self, conn: object) -> None:
        """Remove a closed connection's states, for everyone."""
        gone = [c for c, (owner, _) in self._owner.items() if owner is conn]
        for c in gone:
            del self._owner[c]
        self.awareness.remove_awareness_states(gone, "closed")

    def _on_awareness(self, topic: str, event: tuple[dict[str, Any], Any]) -> None:
        changes, origin = event
        if topic != "update" or origin not in ("closed", "timeout") or not changes["removed"]:
            return
        removed = changes["removed"]
        if origin == "timeout":
            for c in removed:
                self._owner.pop(c, None)
        self._broadcast(create_awareness_message(self.awareness.encode_awareness_update(removed)))
