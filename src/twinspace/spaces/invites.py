"""One-time invites into a hosted space, and the guest tokens they turn into.

The space's owner makes an invite for another household: a code (12 characters, about 59
bits) and a link that carries it with the host's address, handed over out of band. The
guest's hub redeems it once, before it expires, over HTTP(S): the guest is seated in the
space as a person of its own and the guest hub receives a token for that space alone
(spaces/admission.py says what it reaches). As with pairing codes, the code is stored only
as an HMAC under the hub's key and wrong codes are limited per source. Revoking the invite
(or the guest leaving) revokes the token, closes its open sockets at once and frees the seat.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from twinspace import access
from twinspace.attempts import AttemptLimiter, limiter_for
from twinspace.errors import Conflict, InvalidInput, NotFound, Unauthorized
from twinspace.home.model import Home
from twinspace.hub import Hub
from twinspace.hub_key import database_key, keyed_hash
from twinspace.spaces import hosting
from twinspace.store.sqlite import Store, utcnow

CODE_LENGTH = 12  # crosses the internet, unlike a pairing code: longer
DEFAULT_TTL = timedelta(hours=24)
MAX_TTL = timedelta(days=30)
MAX_FAILURES_PER_MINUTE = 20
LINK_PATH = "/api/v1/invites/"
_LINK = re.compile(r"^(https?://[^/\s?#]+(?:/[^\s?#]*?)?)/api/v1/invites/([A-Za-z0-9-]{8,40})/?$")



@dataclass(frozen=True)
class Invite:
    id: str
    space_id: str
    label: str
    created_at: str
    expires_at: str
    redeemed_at: Optional[str] = None
    guest: Optional[str] = None
    revoked_at: Optional[str] = None
    code: Optional[str] = None  # only when just made: shown once
    link: Optional[str] = None

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.redeemed_at:
            return "redeemed"
        return "expired" if datetime.fromisoformat(self.expires_at) < utcnow() else "open"


@dataclass(frozen=True)
class GuestPass:
    """What the guest's hub receives for a redeemed invite: shown once."""

    token: str
    space_id: str
    space_name: str
    guest: str  # the guest's person id in the space
    seat: str


def _code_hash(store: Store, raw: str) -> str:
    return keyed_hash(database_key(store.path), "space-invite", raw)


def _limiter(store: Store) -> AttemptLimiter:
    return limiter_for(store, "wrong invite codes", MAX_FAILURES_PER_MINUTE, per_s=60)


def parse_link(link_or_code: str, host_url: Optional[str] = None) -> tuple[str, str]:
    """(host URL, code) from an invite link, or from a bare code and the host's URL."""
    text = link_or_code.strip()
    m = _LINK.match(text)
    if m:
        return m.group(1), m.group(2)
    if host_url and re.fullmatch(r"[A-Za-z0-9-]{8,40}", text):
        return host_url.rstrip("/"), text
    raise InvalidInput("give the invite link as the host gave it, e.g. "
                       "https://192.168.1.20:8443/api/v1/invites/ABCD-EFGH-JKMN (or the code and --host URL)")


def create_invite(hub: Hub, space: Home, *, by: Optional[str], label: str, base_url: str,
                  ttl: timedelta = DEFAULT_TTL, now: Optional[datetime] = None) -> Invite:
    """A one-time invite into `space` for one guest, valid for `ttl`."""
    if space.kind == "home":
        raise InvalidInput("a home takes no guests from other homes; create a space (`twinspace space create`)")
    label = label.strip()
    if not label or len(label) > hosting.MAX_NAME:
        raise InvalidInput(f"say whom the invite is for in 1-{hosting.MAX_NAME} characters, e.g. \"the Kims\"")
    if not timedelta(minutes=1) <= ttl <= MAX_TTL:
        raise InvalidInput(f"an invite lasts between a minute and {MAX_TTL.days} days")
    if all(s.person is not None for s in space.seats):
        raise Conflict(f"every seat in {space.name} is taken; revoke an invite to free one")
    now = now or utcnow()
    raw = "".join(secrets.choice(access.CODE_ALPHABET) for _ in range(CODE_LENGTH))
    code = "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))
    ident = secrets.token_hex(6)
    with hub.store.transaction() as c:
        c.execute("INSERT INTO space_invites(id, code_hash, space_id, label, created_by, created_at, expires_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  (ident, _code_hash(hub.store, raw), space.id, label, by, now.isoformat(), (now + ttl).isoformat()))
    return Invite(ident, space.id, label, now.isoformat(), (now + ttl).isoformat(), code=code,
                  link=base_url.rstrip("/") + LINK_PATH + code)


def _invite(row) -> Invite:  # noqa: ANN001 - a database row
    return Invite(row["id"], row["space_id"], row["label"], row["created_at"], row["expires_at"],
                  row["redeemed_at"], row["guest"], row["revoked_at"])


def invites(store: Store, space_id: str) -> list[Invite]:
    with store.reading() as c:
        rows = c.execute("SELECT * FROM space_invites WHERE space_id = ? ORDER BY created_at", (space_id,)).fetchall()
    return [_invite(r) for r in rows]


def redeem(hub: Hub, code: str, name: str, *, source: Optional[str] = None,
           now: Optional[datetime] = None) -> GuestPass:
    """Trade an open invite for a guest seat and a token for that space (once)."""
    now = now or utcnow()
    name = name.strip()
    if not name or len(name) > hosting.MAX_NAME:
        raise InvalidInput(f"say who is coming in 1-{hosting.MAX_NAME} characters, e.g. \"Joon (the Kims)\"")
    limiter = _limiter(hub.store)
    limiter.check(source)
    raw = access.normalize_code(code)
    hashed = _code_hash(hub.store, raw) if 0 < len(raw) <= 3 * CODE_LENGTH else ""
    with hub.store.transaction() as c:  # claiming it is one statement: two redeemers cannot both win
        claimed = c.execute("UPDATE space_invites SET redeemed_at = ? WHERE code_hash = ? AND redeemed_at IS NULL "
                            "AND revoked_at IS NULL AND expires_at >= ?",
                            (now.isoformat(), hashed, now.isoformat())).rowcount
        row = c.execute("SELECT * FROM space_invites WHERE code_hash = ?", (hashed,)).fetchone() if claimed else None
    if row is None:
        limiter.failed(source)
        raise Unauthorized("that invite is wrong, used, revoked or expired; ask the host for a new one")
    try:
        seated = hosting.seat_guest(hub, row["space_id"], name)
    except Exception:
        with hub.store.transaction() as c:  # not seated: the invite stays open
            c.execute("UPDATE space_invites SET redeemed_at = NULL WHERE id = ?", (row["id"],))
        raise
    issued = access.issue_token(hub.store, row["space_id"], seated.person, f"guest: {name}")
    with hub.store.transaction() as c:
        c.execute("UPDATE space_invites SET guest = ?, token_hash = ? WHERE id = ?",
                  (seated.person, access.token_hash(issued.token), row["id"]))
    return GuestPass(issued.token, row["space_id"], hub.home(row["space_id"]).name, seated.person, seated.seat)


def _end(hub: Hub, row, now: datetime) -> None:  # noqa: ANN001 - a database row
    """Revoke an invite row: its token stops working, its sockets close, its seat is free."""
    with hub.store.transaction() as c:
        c.execute("UPDATE space_invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                  (now.isoformat(), row["id"]))
        if row["token_hash"]:
            c.execute("UPDATE tokens SET revoked = 1 WHERE hash = ?", (row["token_hash"],))
    access.token_watch(hub.store).recheck()
    if row["guest"]:
        hosting.unseat_guest(hub, row["space_id"], row["guest"])


def revoke(hub: Hub, space_id: str, invite_id: str, now: Optional[datetime] = None) -> Invite:
    """The host takes an invite back: unused, it can no longer be redeemed; redeemed, the
    guest is out at once."""
    with hub.store.reading() as c:
        row = c.execute("SELECT * FROM space_invites WHERE space_id = ? AND id = ?",
                        (space_id, invite_id.strip().lower())).fetchone()
    if row is None:
        known = ", ".join(f"{i.id} ({i.label}, {i.state})" for i in invites(hub.store, space_id)) or "none"
        raise NotFound(f"no invite {invite_id[:20]!r} into this space; invites: {known}")
    _end(hub, row, now or utcnow())
    return _invite(row)


def leave(hub: Hub, token: str, now: Optional[datetime] = None) -> None:
    """The guest's hub leaves the space: the same as the host revoking its invite."""
    with hub.store.reading() as c:
        row = c.execute("SELECT * FROM space_invites WHERE token_hash = ?", (access.token_hash(token),)).fetchone()
    if row is None:
        raise NotFound("this token is not a guest's pass to a space")
    _end(hub, row, now or utcnow())
