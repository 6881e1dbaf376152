"""Who may use a home: one-time pairing codes and device tokens.

A device pairs once with a short code (`twinspace pair` prints one) and receives a long
random token. Both are stored only as SHA-256 hashes. A token belongs to one home and
one person; the home owner's tokens may also administer the home.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from twinspace.actions.registry import Caller
from twinspace.errors import InvalidInput, NotFound, Unauthorized
from twinspace.store.sqlite import Store, utcnow

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed easily
CODE_LENGTH = 8
CODE_TTL = timedelta(minutes=10)
MAX_FAILURES_PER_MINUTE = 20  # beyond this every redemption is refused for a minute


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True)
class PairingCode:
    code: str  # shown once, formatted ABCD-EFGH
    home_id: str
    person: Optional[str]
    expires_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once
    caller: Caller


def create_pairing_code(store: Store, home_id: str, person: Optional[str] = None,
                        ttl: timedelta = CODE_TTL, now: Optional[datetime] = None) -> PairingCode:
    """A one-time code that pairs one device with `home_id` as `person` (default: the owner)."""
    home, _ = store.load_home(home_id)
    person = person or home.owner_id()
    if person is not None and home.person(person) is None:
        known = ", ".join(p.id for p in home.people) or "none"
        raise NotFound(f"there is no person {person!r} in {home.name}; people: {known}")
    role = "owner" if person is not None and person == home.owner_id() else "member"
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    expires = (now or utcnow()) + ttl
    with store.transaction() as c:
        c.execute("DELETE FROM pair_codes WHERE expires_at < ?", ((now or utcnow()).isoformat(),))
        c.execute("INSERT INTO pair_codes(hash, home_id, person, role, expires_at) VALUES (?, ?, ?, ?, ?)",
                  (_hash(raw), home_id, person, role, expires.isoformat()))
    return PairingCode(f"{raw[:4]}-{raw[4:]}", home_id, person, expires)


def redeem_pairing_code(store: Store, code: str, label: str, device: Optional[str] = None,
                        now: Optional[datetime] = None) -> IssuedToken:
    """Trade a valid, unused, unexpired code for a device token."""
    now = now or utcnow()
    label = label.strip()
    if not label or len(label) > 100:
        raise InvalidInput("give the device a name of 1-100 characters, e.g. \"Minji's Quest\"")
    raw = normalize_code(code)
    with store.transaction() as c:
        recent = c.execute("SELECT COUNT(*) FROM pair_failures WHERE at > ?",
                           ((now - timedelta(minutes=1)).isoformat(),)).fetchone()[0]
        if recent >= MAX_FAILURES_PER_MINUTE:
            raise Unauthorized("too many wrong pairing codes; wait a minute and try again")
        row = c.execute("SELECT * FROM pair_codes WHERE hash = ?", (_hash(raw),)).fetchone()
        if row is None or row["used_at"] is not None or datetime.fromisoformat(row["expires_at"]) < now:
            c.execute("INSERT INTO pair_failures(at) VALUES (?)", (now.isoformat(),))
            c.execute("DELETE FROM pair_failures WHERE at < ?", ((now - timedelta(minutes=5)).isoformat(),))
            # Committing the failure matters more than rolling back: raise after the block.
            failed = True
        else:
            failed = False
            c.execute("UPDATE pair_codes SET used_at = ? WHERE hash = ?", (now.isoformat(), row["hash"]))
            token = secrets.token_urlsafe(32)
            c.execute(
                "INSERT INTO tokens(hash, home_id, person, device, label, role, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_hash(token), row["home_id"], row["person"], device, label, row["role"], now.isoformat()))
            caller = Caller(home_id=row["home_id"], person=row["person"], device=device, role=row["role"])
    if failed:
        raise Unauthorized("that pairing code is wrong, used or expired; run `twinspace pair` for a new one")
    return IssuedToken(token, caller)


def issue_token(store: Store, home_id: str, person: Optional[str], label: str,
                role: str = "member", device: Optional[str] = None) -> IssuedToken:
    """Issue a token directly (for the hub's own tools, e.g. the CLI acting as the owner)."""
    token = secrets.token_urlsafe(32)
    with store.transaction() as c:
        c.execute(
            "INSERT INTO tokens(hash, home_id, person, device, label, role, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (_hash(token), home_id, person, device, label, role, utcnow().isoformat()))
    return IssuedToken(token, Caller(home_id=home_id, person=person, device=device, role=role))


def authenticate(store: Store, token: Optional[str]) -> Caller:
    """The caller a bearer token stands for; Unauthorized says nothing about why it failed."""
    if not token:
        raise Unauthorized("this request needs a device token: pair the device with `twinspace pair`")
    with store.reading() as c:
        row = c.execute("SELECT * FROM tokens WHERE hash = ? AND revoked = 0", (_hash(token),)).fetchone()
    if row is None:
        raise Unauthorized("the device token is not valid; pair the device again with `twinspace pair`")
    return Caller(home_id=row["home_id"], person=row["person"], device=row["device"], role=row["role"])


def revoke_tokens(store: Store, home_id: str, label: Optional[str] = None) -> int:
    with store.transaction() as c:
        if label is None:
            cur = c.execute("UPDATE tokens SET revoked = 1 WHERE home_id = ?", (home_id,))
        else:
            cur = c.execute("UPDATE tokens SET revoked = 1 WHERE home_id = ? AND label = ?", (home_id, label))
        return cur.rowcount
