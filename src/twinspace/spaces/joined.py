"""The guest side: spaces hosted by another hub that a home of this hub has joined.

This hub redeems the host's invite over HTTP(S) and keeps what it gets back: the host's
address and a guest token for that one space. The token never leaves this hub: the
household's own devices reach the space through this hub (server/space_routes.py relays
their live-document and player sockets, the screen's media and their actions on the space),
so the host sees one peer, this hub, and nothing of this home. Leaving tells the host (which revokes the token) and forgets the space.

A host over HTTPS with its own local CA (LAN mode) is trusted when `TWINSPACE_PEER_CA`
names that CA's certificate file; otherwise the system's CAs decide.
"""

from __future__ import annotations

import os
import re
import ssl
from dataclasses import dataclass
from typing import Any, Optional

import httpx

from twinspace.errors import Conflict, Forbidden, InvalidInput, NotFound, TwinspaceError, Unauthorized
from twinspace.store.sqlite import Store, utcnow

TIMEOUT_S = 10.0
ACTION_NAME = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)+")


@dataclass(frozen=True)
class JoinedSpace:
    id: str  # the space's id on its host
    home_id: str
    name: str
    host_url: str
    token: str
    guest: str
    joined_at: str

    def public(self) -> dict[str, Any]:
        """What this hub's own devices may see of it (not the token)."""
        return {"id": self.id, "name": self.name, "host_url": self.host_url, "guest": self.guest,
                "joined_at": self.joined_at}

    @property
    def ws_url(self) -> str:
        return "ws" + self.host_url[4:] if self.host_url.startswith("http") else self.host_url


class HostError(TwinspaceError):
    """The host hub refused or could not be reached."""

    status = 502
    title = "Bad gateway"
    slug = "host-unreachable"


def verify() -> "ssl.SSLContext | bool":
    ca = os.environ.get("TWINSPACE_PEER_CA")
    return ssl.create_default_context(cafile=ca) if ca else True


def ssl_context(url: str) -> Optional[ssl.SSLContext]:
    """For a wss:// connection to a host: the same trust as `verify`."""
    if not url.startswith("wss://"):
        return None
    v = verify()
    return v if isinstance(v, ssl.SSLContext) else ssl.create_default_context()


def _host_problem(response: httpx.Response) -> TwinspaceError:
    try:
        detail = response.json().get("detail") or response.text
    except ValueError:
        detail = response.text
    detail = f"the host hub said: {str(detail)[:300]}"
    if response.status_code == 401:
        return Unauthorized(detail)
    if response.status_code == 409:
        return Conflict(detail)
    return HostError(detail)


class HostRefused(TwinspaceError):
    """The host hub answered a relayed request with a refusal: its status and its words."""

    title = "Refused by the space's host"
    slug = "host-refused"

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


def redeem_remote(host_url: str, code: str, name: str) -> dict[str, Any]:
    """Ask the host hub to redeem an invite; its guest pass (token, space id, name, guest, seat)."""
    try:
        response = httpx.post(f"{host_url}/api/v1/invites/{code}/redeem", json={"name": name},
                              timeout=TIMEOUT_S, verify=verify())
    except httpx.HTTPError as e:
        raise HostError(f"could not reach the host hub at {host_url}: {e}") from None
    if response.status_code != 200:
        raise _host_problem(response)
    return response.json()


def remember(store: Store, home_id: str, host_url: str, guest_pass: dict[str, Any]) -> JoinedSpace:
    space_id = str(guest_pass["space_id"])
    joined = JoinedSpace(space_id, home_id, str(guest_pass["space_name"]), host_url, str(guest_pass["token"]),
                         str(guest_pass["guest"]), utcnow().isoformat())
    with store.transaction() as c:
        if c.execute("SELECT 1 FROM joined_spaces WHERE id = ?", (space_id,)).fetchone() is not None:
            raise Conflict(f"this hub has already joined a space {space_id!r}; leave it first")
        c.execute("INSERT INTO joined_spaces(id, home_id, name, host_url, token, guest, joined_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)", (joined.id, home_id, joined.name, host_url, joined.token,
                                                   joined.guest, joined.joined_at))
    return joined


def join(store: Store, home_id: str, host_url: str, code: str, name: str) -> JoinedSpace:
    if not host_url.startswith(("http://", "https://")):
        raise InvalidInput("the host's address starts with http:// or https://")
    guest_pass = redeem_remote(host_url, code, name)
    try:
        return remember(store, home_id, host_url, guest_pass)
    except Conflict:
        _leave_remote(host_url, str(guest_pass["token"]))  # do not hold a seat we cannot use
        raise


def joined_spaces(store: Store, home_id: str) -> list[JoinedSpace]:
    with store.reading() as c:
        rows = c.execute("SELECT * FROM joined_spaces WHERE home_id = ? ORDER BY joined_at", (home_id,)).fetchall()
    return [JoinedSpace(**{k: r[k] for k in ("id", "home_id", "name", "host_url", "token", "guest", "joined_at")})
            for r in rows]


def joined_space(store: Store, home_id: str, space_id: str) -> JoinedSpace:
    found = next((j for j in joined_spaces(store, home_id) if j.id == space_id), None)
    if found is None:
        raise NotFound(f"this home has not joined a space {space_id!r}; `twinspace space join LINK` joins one")
    return found


def _leave_remote(host_url: str, token: str) -> bool:
    try:
        r = httpx.post(f"{host_url}/api/v1/guest/leave", headers={"Authorization": f"Bearer {token}"},
                       timeout=TIMEOUT_S, verify=verify())
    except httpx.HTTPError:
        return False
    return r.status_code in (200, 401)  # 401: the host had already revoked it


def leave(store: Store, home_id: str, space_id: str) -> bool:
    """Leave a joined space: the host revokes our token (if it can be reached) and we forget it.
    True when the host confirmed."""
    joined = joined_space(store, home_id, space_id)
    told = _leave_remote(joined.host_url, joined.token)
    with store.transaction() as c:
        c.execute("DELETE FROM joined_spaces WHERE id = ? AND home_id = ?", (space_id, home_id))
    return told


def _let_go(joined: JoinedSpace) -> Forbidden:
    """The host no longer takes our pass. A 403 to our device, not a 401: the device is still
    paired with this hub, it is this home that is no longer in the space."""
    return Forbidden(f"the host of {joined.name!r} no longer lets this home in: it ended the invite, or "
                     "this home left; ask the host for a new invite")


def fetch_space(joined: JoinedSpace) -> dict[str, Any]:
    """The space's twin as its host serves it to this guest."""
    try:
        r = httpx.get(f"{joined.host_url}/api/v1/homes/{joined.id}", timeout=TIMEOUT_S, verify=verify(),
                      headers={"Authorization": f"Bearer {joined.token}"})
    except httpx.HTTPError as e:
        raise HostError(f"could not reach the host hub at {joined.host_url}: {e}") from None
    if r.status_code == 401:
        raise _let_go(joined)
    if r.status_code != 200:
        raise _host_problem(r)
    return r.json()


def act(joined: JoinedSpace, action: str, body: dict[str, Any]) -> dict[str, Any]:
    """Run `action` on the joined space at its host, as this home's guest: the host decides
    (spaces/admission.py: a guest plays, pauses, seeks, watches together and takes a free
    seat). Its answer (ActionResult) comes back as it is; a refusal keeps the host's status
    and sentence; a revoked pass is a 403 (`_let_go`)."""
    if not ACTION_NAME.fullmatch(action):
        raise NotFound(f"{action[:60]!r} is not an action name (e.g. playback.pause)")
    try:
        r = httpx.post(f"{joined.host_url}/api/v1/homes/{joined.id}/actions/{action}", json=body,
                       timeout=TIMEOUT_S, verify=verify(), headers={"Authorization": f"Bearer {joined.token}"})
    except httpx.HTTPError as e:
        raise HostError(f"could not reach the host hub at {joined.host_url}: {e}") from None
    if r.status_code == 200:
        return r.json()
    if r.status_code == 401:
        raise _let_go(joined)
    if 400 <= r.status_code < 500:
        try:
            detail = r.json().get("detail") or r.text
        except ValueError:
            detail = r.text
        raise HostRefused(r.status_code, f"the host hub refused {action}: {str(detail)[:300]}")
    raise _host_problem(r)
