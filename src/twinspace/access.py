"""Who may use a home: one-time pairing codes, device tokens, and taking a device's access back.

A device pairs once with a short code (`twinspace pair` prints one) and receives a long
random token. The token is stored only as its SHA-256 (it is 256 random bits: nothing to
guess); a code, short enough to guess offline from a copied database, is stored only as an
HMAC under the hub's own key (hub_key.py). Wrong codes are limited per source, so one
guesser cannot lock out everyone else. A token belongs to one home and one person; the home
owner's tokens may also administer the home. The owner lists paired devices and revokes
any of them; a token unused for `TWINSPACE_TOKEN_IDLE_DAYS` (default 90, 0: never) expires.
Open connections of a revoked token close at once (TokenWatch).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Optional

from twinspace.actions.registry import Caller
from twinspace.attempts import AttemptLimiter, limiter_for
from twinspace.errors import InvalidInput, NotFound, Unauthorized
from twinspace.hub_key import database_key, keyed_hash
from twinspace.store.sqlite import Store, utcnow

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed easily
CODE_LENGTH = 8
CODE_TTL = timedelta(minutes=10)
MAX_FAILURES_PER_MINUTE = 20  # wrong codes per source; beyond it that source waits, nobody else
MAX_DEVICE_ID = 64
MAX_LABEL = 100
DEFAULT_IDLE_DAYS = 90
TOUCH_EVERY = timedelta(hours=1)  # how often last_used_at is written (not on every request)
PAIRING_ID_LENGTH = 12  # hex digits of the token hash that name a pairing in lists and revocations

_watches: "weakref.WeakKeyDictionary[Store, TokenWatch]" = weakref.WeakKeyDictionary()
_guard = threading.Lock()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_hash(token: str) -> str:
    """How a token is stored (and named by other tables, e.g. a space invite's guest token)."""
    return _hash(token)


def _code_hash(store: Store, raw: str) -> str:
    return keyed_hash(database_key(store.path), "pairing-code", raw)


def pairing_limiter(store: Store) -> AttemptLimiter:
    return limiter_for(store, "wrong pairing codes", MAX_FAILURES_PER_MINUTE, per_s=60)


def idle_limit() -> Optional[timedelta]:
    """How long an unused token stays valid (TWINSPACE_TOKEN_IDLE_DAYS; 0 or less: forever)."""
    raw = os.environ.get("TWINSPACE_TOKEN_IDLE_DAYS", str(DEFAULT_IDLE_DAYS))
    try:
        days = float(raw)
    except ValueError:
        raise InvalidInput(f"TWINSPACE_TOKEN_IDLE_DAYS must be a number of days, not {raw!r}") from None
    return timedelta(days=days) if days > 0 else None


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
                  (_code_hash(store, raw), home_id, person, role, expires.isoformat()))
    return PairingCode(f"{raw[:4]}-{raw[4:]}", home_id, person, expires)


def redeem_pairing_code(store: Store, code: str, label: str, device: Optional[str] = None,
                        now: Optional[datetime] = None, *, source: Optional[str] = None) -> IssuedToken:
    """Trade a valid, unused, unexpired code for a device token.

    `source` is where the attempt came from (the client address); wrong codes are counted
    against it alone. `device`, when given, must be an XR device of the home that is the
    code's person's own (or nobody's)."""
    now = now or utcnow()
    label = label.strip()
    if not label or len(label) > MAX_LABEL:
        raise InvalidInput(f"give the device a name of 1-{MAX_LABEL} characters, e.g. \"Minji's Quest\"")
    if device is not None and (not device.strip() or len(device) > MAX_DEVICE_ID):
        raise InvalidInput(f"device must be the id of an XR device in the home (1-{MAX_DEVICE_ID} characters)")
    limiter = pairing_limiter(store)
    limiter.check(source)
    raw = normalize_code(code)
    with store.transaction() as c:
        row = c.execute("SELECT * FROM pair_codes WHERE hash = ?", (_code_hash(store, raw),)).fetchone() \
            if 0 < len(raw) <= 4 * CODE_LENGTH else None
        if row is None or row["used_at"] is not None or datetime.fromisoformat(row["expires_at"]) < now:
            row = None
        else:
            _check_device(store, row["home_id"], row["person"], device)
            c.execute("UPDATE pair_codes SET used_at = ? WHERE hash = ?", (now.isoformat(), row["hash"]))
            token = secrets.token_urlsafe(32)
            c.execute(
                "INSERT INTO tokens(hash, home_id, person, device, label, role, created_at, last_used_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (_hash(token), row["home_id"], row["person"], device, label, row["role"], now.isoformat(),
                 now.isoformat()))
            caller = Caller(home_id=row["home_id"], person=row["person"], device=device, role=row["role"])
    if row is None:
        limiter.failed(source)
        raise Unauthorized("that pairing code is wrong, used or expired; run `twinspace pair` for a new one")
    return IssuedToken(token, caller)


def _check_device(store: Store, home_id: str, person: Optional[str], device: Optional[str]) -> None:
    """A pairing may name only an XR device of the home that is not someone else's."""
    if device is None:
        return
    home, _ = store.load_home(home_id)
    found = home.xr_device(device)
    if found is None:
        known = ", ".join(d.id for d in home.xr_devices) or "none"
        raise InvalidInput(f"there is no XR device {device!r} in {home.name}; its XR devices: {known}")
    if found.owner is not None and found.owner != person:
        raise InvalidInput(f"{device} is {found.owner}'s device; pair it with a code made for "
                           f"{found.owner} (`twinspace pair --person {found.owner}`)")


def issue_token(store: Store, home_id: str, person: Optional[str], label: str,
                role: str = "member", device: Optional[str] = None) -> IssuedToken:
    """Issue a token directly (for the hub's own tools, e.g. the CLI acting as the owner)."""
    token = secrets.token_urlsafe(32)
    now = utcnow().isoformat()
    with store.transaction() as c:
        c.execute(
            "INSERT INTO tokens(hash, home_id, person, device, label, role, created_at, last_used_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_hash(token), home_id, person, device, label, role, now, now))
    return IssuedToken(token, Caller(home_id=home_id, person=person, device=device, role=role))


def authenticate(store: Store, token: Optional[str], now: Optional[datetime] = None) -> Caller:
    """The caller a bearer token stands for; Unauthorized says nothing about why it failed."""
    if not token:
        raise Unauthorized("this request needs a device token: pair the device with `twinspace pair`")
    now = now or utcnow()
    hashed = _hash(token)
    with store.reading() as c:
        row = c.execute("SELECT * FROM tokens WHERE hash = ? AND revoked = 0", (hashed,)).fetchone()
        # A token from a space invite is a guest's: it reaches that space only (spaces/admission.py).
        guest = row is not None and c.execute("SELECT 1 FROM space_invites WHERE token_hash = ?",
                                              (hashed,)).fetchone() is not None
    if row is None:
        raise Unauthorized("the device token is not valid; pair the device again with `twinspace pair`")
    last = datetime.fromisoformat(row["last_used_at"] or row["created_at"])
    idle = idle_limit()
    if idle is not None and now - last > idle:
        raise Unauthorized(f"the device token expired after {idle.days} days unused; pair the device again "
                           "with `twinspace pair`")
    if now - last > TOUCH_EVERY:
        with store.transaction() as c:
            c.execute("UPDATE tokens SET last_used_at = ? WHERE hash = ?", (now.isoformat(), hashed))
    return Caller(home_id=row["home_id"], person=row["person"], device=row["device"],
                  role="guest" if guest else row["role"])


def valid(store: Store, token: str) -> bool:
    try:
        authenticate(store, token)
    except Unauthorized:
        return False
    return True


# --- paired devices: list and revoke -------------------------------------------------

@dataclass(frozen=True)
class PairedDevice:
    id: str  # the start of the token's hash: names the pairing, reveals nothing of the token
    label: str
    person: Optional[str]
    device: Optional[str]
    role: str
    created_at: str
    last_used_at: Optional[str]
    expires_at: Optional[str]  # when it expires if unused until then; None: never


def paired_devices(store: Store, home_id: str) -> list[PairedDevice]:
    """The home's devices that hold a token that is not revoked, oldest first (expired ones too,
    marked by an expires_at in the past)."""
    idle = idle_limit()
    with store.reading() as c:
        rows = c.execute("SELECT * FROM tokens WHERE home_id = ? AND revoked = 0 ORDER BY created_at",
                         (home_id,)).fetchall()
    out = []
    for r in rows:
        last = datetime.fromisoformat(r["last_used_at"] or r["created_at"])
        out.append(PairedDevice(r["hash"][:PAIRING_ID_LENGTH], r["label"], r["person"], r["device"], r["role"],
                                r["created_at"], r["last_used_at"],
                                (last + idle).isoformat() if idle is not None else None))
    return out


def revoke_device(store: Store, home_id: str, pairing_id: str) -> PairedDevice:
    """Revoke one paired device of the home by its id; its open connections close at once."""
    pairing_id = pairing_id.strip().lower()
    found = [d for d in paired_devices(store, home_id) if d.id == pairing_id]
    if not found:
        known = ", ".join(f"{d.id} ({d.label})" for d in paired_devices(store, home_id)) or "none"
        raise NotFound(f"no paired device {pairing_id[:PAIRING_ID_LENGTH]!r} in this home; paired: {known}")
    with store.transaction() as c:
        c.execute("UPDATE tokens SET revoked = 1 WHERE home_id = ? AND substr(hash, 1, ?) = ?",
                  (home_id, PAIRING_ID_LENGTH, pairing_id))
    token_watch(store).recheck()
    return found[0]


def revoke_tokens(store: Store, home_id: str, label: Optional[str] = None) -> int:
    with store.transaction() as c:
        if label is None:
            cur = c.execute("UPDATE tokens SET revoked = 1 WHERE home_id = ?", (home_id,))
        else:
            cur = c.execute("UPDATE tokens SET revoked = 1 WHERE home_id = ? AND label = ?", (home_id, label))
        count = cur.rowcount
    token_watch(store).recheck()
    return count


# --- open connections follow their token ---------------------------------------------

Close = Callable[[str], None]  # told why; must be safe to call from any thread


class TokenWatch:
    """The open connections (sync and voice sockets) of a store's tokens.

    A revocation in this process re-checks them at once; `run` notices revocations made by
    another process (the CLI) on the same database within `every_s`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._open: dict[int, tuple[str, Close]] = {}
        self._ids = iter(range(1, 1 << 62))
        self._lock = threading.Lock()

    def watch(self, token: str, close: Close) -> Callable[[], None]:
        with self._lock:
            key = next(self._ids)
            self._open[key] = (token, close)
        return lambda: self._open.pop(key, None)

    def recheck(self) -> int:
        """Close every watched connection whose token is no longer valid; returns how many."""
        with self._lock:
            watched = list(self._open.items())
        closed = 0
        for key, (token, close) in watched:
            if not valid(self.store, token):
                self._open.pop(key, None)
                close("the device token was revoked or expired; pair the device again")
                closed += 1
        return closed

    def _mark(self) -> tuple[int, int]:
        with self.store.reading() as c:
            return tuple(c.execute("SELECT count(*), coalesce(sum(revoked), 0) FROM tokens").fetchone())  # type: ignore[return-value]

    async def run(self, every_s: float = 1.0) -> None:
        mark = await asyncio.to_thread(self._mark)
        while True:
            await asyncio.sleep(every_s)
            now = await asyncio.to_thread(self._mark)
            if now != mark and self._open:
                await asyncio.to_thread(self.recheck)
            mark = now


def token_watch(store: Store) -> TokenWatch:
    with _guard:
        watch = _watches.get(store)
        if watch is None:
            watch = _watches[store] = TokenWatch(store)
        return watch
