"""Virtual spaces and invites on one hub: the model, single use, expiry, revocation, and the
guest token's scope over every route of the app (enumerated, not listed by hand)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Iterator

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from support import DEMO_NOW
from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from twinspace.home.homefile import home_to_json
from twinspace.home.model import Home
from twinspace.hub import Hub
from twinspace.server.app import create_app
from twinspace.spaces import hosting, invites

HOST = "demo-loft"


@pytest.fixture
def space(hub: Hub, owner: Caller) -> Home:
    return hosting.create_space(hub, owner, "cinema", "Movie night", "movie-night")


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub)) as c:
        yield c


def invite(hub: Hub, space: Home, **kw: Any) -> invites.Invite:
    return invites.create_invite(hub, space, by="alex", label="the Kims", base_url="http://127.0.0.2:8080", **kw)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- the model ----------------------------------------------------------------------------

def test_a_cinema_is_a_virtual_space_with_seats_and_a_screen_hosted_by_the_home(hub: Hub, space: Home) -> None:
    assert (space.kind, space.host, space.owner_id()) == ("virtual", HOST, "alex")
    assert len(space.seats) == 8 and space.seat_of("alex").id == "seat-1"
    assert [d.id for _, d in space.devices()] == ["screen"]
    assert {p.id for p in space.people} == {p.id for p in hub.home(HOST).people}
    assert hub.household_ids() == [HOST]  # "the only home" is still the home
    # A plain home exports exactly as the format describes it; a space carries its extensions.
    assert "kind" not in home_to_json(hub.home(HOST)) and "seats" not in home_to_json(hub.home(HOST))
    again = Home.model_validate(home_to_json(space))
    assert (again.kind, again.host, again.seats) == (space.kind, space.host, space.seats)


def test_seats_must_be_in_a_room_and_a_person_takes_one(space: Home) -> None:
    data = home_to_json(space)
    data["seats"][1]["person"] = "alex"
    with pytest.raises(ValueError, match="two seats"):
        Home.model_validate(data)
    data["seats"][1].update(person=None, room="nowhere")
    with pytest.raises(ValueError, match="not in rooms"):
        Home.model_validate(data)


def test_only_the_owner_of_a_home_creates_spaces_from_known_templates(hub: Hub, owner: Caller) -> None:
    with pytest.raises(Forbidden):
        hosting.create_space(hub, Caller(HOST, person="sam"), "cinema")
    with pytest.raises(InvalidInput, match="templates: cinema, lounge"):
        hosting.create_space(hub, owner, "opera")
    lounge = hosting.create_space(hub, owner, "lounge")
    assert lounge.id == "demo-loft-lounge" and len(lounge.seats) == 4


# --- invites ------------------------------------------------------------------------------

def test_an_invite_is_redeemed_once_and_seats_the_guest(hub: Hub, space: Home) -> None:
    made = invite(hub, space)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", made.code)
    assert invites.parse_link(made.link) == ("http://127.0.0.2:8080", made.code)
    guest = invites.redeem(hub, made.code.lower().replace("-", " "), "Joon (the Kims)")
    assert (guest.space_id, guest.guest, guest.seat) == ("movie-night", "guest-1", "seat-2")
    seated = hub.home("movie-night")
    assert seated.person("guest-1").name == "Joon (the Kims)" and seated.seat_of("guest-1").id == "seat-2"
    assert access.authenticate(hub.store, guest.token) == Caller("movie-night", "guest-1", None, "guest")
    with pytest.raises(Unauthorized, match="used"):
        invites.redeem(hub, made.code, "Someone else")
    assert [i.state for i in invites.invites(hub.store, "movie-night")] == ["redeemed"]


def test_an_invite_expires(hub: Hub, space: Home) -> None:
    made = invite(hub, space, ttl=timedelta(minutes=5), now=DEMO_NOW)
    with pytest.raises(Unauthorized, match="expired"):
        invites.redeem(hub, made.code, "Joon", now=DEMO_NOW + timedelta(minutes=6))
    assert invites.redeem(hub, invite(hub, space, now=DEMO_NOW).code, "Joon", now=DEMO_NOW).guest == "guest-1"
    with pytest.raises(InvalidInput):
        invite(hub, space, ttl=timedelta(days=31))


def test_a_revoked_invite_cannot_be_redeemed_and_a_redeemed_one_cuts_the_guest_off(hub: Hub, space: Home) -> None:
    unused = invite(hub, space)
    invites.revoke(hub, "movie-night", unused.id)
    with pytest.raises(Unauthorized):
        invites.redeem(hub, unused.code, "Joon")
    used = invite(hub, space)
    guest = invites.redeem(hub, used.code, "Joon")
    invites.revoke(hub, "movie-night", used.id)
    with pytest.raises(Unauthorized):
        access.authenticate(hub.store, guest.token)
    after = hub.home("movie-night")
    assert after.person(guest.guest) is None and after.seat_of(guest.guest) is None
    assert {i.state for i in invites.invites(hub.store, "movie-night")} == {"revoked"}


def test_a_full_space_takes_no_more_guests_and_keeps_the_invite_open(hub: Hub, space: Home) -> None:
    for n in range(7):
        invites.redeem(hub, invite(hub, space).code, f"guest {n}")
    with pytest.raises(Conflict, match="every seat"):
        invite(hub, hub.home("movie-night"))
    with pytest.raises(InvalidInput, match="a home takes no guests"):
        invite(hub, hub.home(HOST))


def test_wrong_invite_codes_are_limited_per_source(hub: Hub, space: Home) -> None:
    from twinspace.errors import TwinspaceError
    for _ in range(invites.MAX_FAILURES_PER_MINUTE):
        with pytest.raises(Unauthorized):
            invites.redeem(hub, "AAAA-AAAA-AAAA", "x", source="10.0.0.9")
    with pytest.raises(TwinspaceError) as e:
        invites.redeem(hub, invite(hub, space).code, "x", source="10.0.0.9")
    assert e.value.status == 429
    assert invites.redeem(hub, invite(hub, space).code, "x", source="10.0.0.10").guest == "guest-1"


# --- the guest token's scope, over the whole app ---------------------------------------------

def every_route(app: Any) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, WebSockets as methods {"WS"}; through included routers
    too (FastAPI 0.165 keeps them as `_IncludedRouter`s that expose their effective routes)."""
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for ctx in contexts():
                ws = isinstance(ctx.original_route, APIWebSocketRoute)
                yield ctx.path, {"WS"} if ws else set(ctx.methods or ())
        elif isinstance(route, APIWebSocketRoute):
            yield route.path, {"WS"}
        elif isinstance(route, APIRoute):
            yield route.path, set(route.methods)


def _fill(path: str, home: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path.replace("{home_id}", home))


def test_a_guest_token_reaches_no_route_of_the_host_home(client: TestClient, hub: Hub, space: Home) -> None:
    """Every route that takes a home refuses the guest token for the host's home; every
    route not about a twin refuses it too, except the few that are open to anyone."""
    guest = invites.redeem(hub, invite(hub, space).code, "Joon").token
    open_to_guests = {"/api/v1/health", "/api/v1/pair", "/api/v1/invites/{code}/redeem", "/api/v1/guest/leave"}
    media = ("/media/", "/demo/")  # the space's own screens' media: served from the space's catalogue
    tried = {"home": 0, "other": 0, "socket": 0}
    for path, methods in every_route(client.app):
        if methods == {"WS"}:
            url = _fill(path, HOST) + f"?token={guest}&target=screen"
            with pytest.raises(WebSocketDisconnect) as e:
                with client.websocket_connect(url) as ws:
                    ws.receive_text()
            assert e.value.code == 4403, (path, e.value.code)
            tried["socket"] += 1
            continue
        if path in open_to_guests or path.startswith(media) or not path.startswith(("/api/", "/v1/")):
            continue  # open routes, the space's media, the web client's static files
        for method in methods - {"HEAD", "OPTIONS"}:
            r = client.request(method, _fill(path, HOST), headers=bearer(guest),
                               **({"json": {}} if method in ("POST", "PUT", "PATCH") else {}))
            assert r.status_code == 403, (method, path, r.status_code, r.text[:200])
            tried["home" if "{home_id}" in path else "other"] += 1
    assert tried["home"] > 40 and tried["other"] >= 5 and tried["socket"] >= 5, tried
    # …while the space itself is the guest's to see and to watch in.
    assert client.get("/api/v1/homes/movie-night", headers=bearer(guest)).json()["kind"] == "virtual"
    r = client.post("/api/v1/homes/movie-night/actions/panel.open", json={"args": {"content": "vod:big-wave"}},
                    headers=bearer(guest))
    assert r.status_code == 403 and "watch together" in r.json()["detail"]


def test_the_host_household_reaches_the_space_and_other_homes_do_not(client: TestClient, hub: Hub,
                                                                     space: Home) -> None:
    sam = access.issue_token(hub.store, HOST, "sam", "Sam's phone").token
    assert client.get("/api/v1/homes/movie-night", headers=bearer(sam)).status_code == 200
    r = client.post("/api/v1/homes/movie-night/actions/playback.play",
                    json={"args": {"content": "vod:big-wave", "target": "screen"}}, headers=bearer(sam))
    assert r.status_code == 200 and r.json()["status"] == "applied"
    assert client.post(f"/api/v1/homes/{HOST}/spaces", json={}, headers=bearer(sam)).status_code == 403  # not owner


def test_revoking_over_rest_closes_the_guest_sockets_at_once(client: TestClient, hub: Hub, space: Home,
                                                             owner: Caller) -> None:
    alex = access.issue_token(hub.store, HOST, "alex", "Alex's Quest", role="owner").token
    made = client.post(f"/api/v1/homes/{HOST}/spaces/movie-night/invites", json={"for": "the Kims", "hours": 1},
                       headers=bearer(alex)).json()
    assert made["link"].endswith("/api/v1/invites/" + made["code"])
    guest = client.post(f"/api/v1/invites/{made['code']}/redeem", json={"name": "Joon"}).json()
    assert client.post(f"/api/v1/invites/{made['code']}/redeem", json={"name": "Joon"}).status_code == 401
    hub.apply("movie-night", "playback.play", {"content": "vod:big-wave", "target": "screen"},
              caller=Caller("movie-night", "alex", role="owner"))
    with client.websocket_connect(f"/api/v1/cowatch/movie-night?target=screen&token={guest['token']}") as player:
        assert player.receive_json()["type"] == "welcome"
        r = client.delete(f"/api/v1/homes/{HOST}/spaces/movie-night/invites/{made['id']}", headers=bearer(alex))
        assert r.json()["state"] == "revoked"
        with pytest.raises(WebSocketDisconnect) as e:
            for _ in range(50):
                player.receive_json()
        assert e.value.code == 4401
    assert client.get("/api/v1/homes/movie-night", headers=bearer(guest["token"])).status_code == 401
    listed = client.get(f"/api/v1/homes/{HOST}/spaces/movie-night/invites", headers=bearer(alex)).json()
    assert [i["state"] for i in listed] == ["revoked"] and "code" not in listed[0]


def test_undo_neither_seats_nor_unseats_anyone_and_guests_do_not_undo(hub: Hub, space: Home) -> None:
    alex = Caller("movie-night", "alex", role="owner")
    guest = invites.redeem(hub, invite(hub, space).code, "Joon")
    with pytest.raises(Forbidden, match="by invites"):
        hub.undo("movie-night", alex)  # the latest change seated the guest
    assert hub.home("movie-night").seat_of(guest.guest) is not None
    hub.apply("movie-night", "playback.play", {"content": "vod:big-wave", "target": "screen"}, caller=alex)
    with pytest.raises(Forbidden, match="not undo"):
        hub.undo("movie-night", access.authenticate(hub.store, guest.token))
    assert hub.undo("movie-night", alex).args["action"] == "playback.play"


def test_a_person_of_the_space_takes_a_free_seat_and_only_a_free_one(hub: Hub, space: Home) -> None:
    guest = access.authenticate(hub.store, invites.redeem(hub, invite(hub, space).code, "Joon").token)
    assert hub.home("movie-night").seat_of("guest-1").id == "seat-2"
    out = hub.apply("movie-night", "seat.take", {"seat": "seat-6"}, caller=guest)
    assert out.message == f"Joon sits in {hub.home('movie-night').seats[5].name}"
    seats = {s.id: s.person for s in hub.home("movie-night").seats}
    assert (seats["seat-2"], seats["seat-6"]) == (None, "guest-1")
    assert hub.apply("movie-night", "seat.take", {"seat": "seat-6"}, caller=guest).changed is False
    with pytest.raises(Conflict, match="taken by Alex"):
        hub.apply("movie-night", "seat.take", {"seat": "seat-1"}, caller=guest)
    with pytest.raises(NotFound, match="free seats: seat-2, seat-3"):
        hub.apply("movie-night", "seat.take", {"seat": "balcony"}, caller=guest)
    alex = Caller("movie-night", "alex", role="owner")
    with pytest.raises(Forbidden, match="by invites"):
        hub.undo("movie-night", alex)  # the latest change moved the guest: not the host's to undo
    with pytest.raises(InvalidInput, match="no seats"):
        hub.apply(HOST, "seat.take", {"seat": "seat-1"}, caller=Caller(HOST, "alex", role="owner"))
    with pytest.raises(Forbidden, match="nobody's"):
        hub.apply("movie-night", "seat.take", {"seat": "seat-3"}, caller=Caller("movie-night", None))
