"""The same hub operations on the SQLite and the PostgreSQL store give the same results."""

from __future__ import annotations

from pathlib import Path

import pytest

from fences import HeldFence
from support import DEMO_NOW
from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.errors import Conflict
from twinspace.hub import Hub
from twinspace.store.base import HomeStore
from twinspace.store.postgres import PostgresStore
from twinspace.store.sqlite import Store


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request, tmp_path: Path):
    if request.param == "sqlite":
        s = Store(tmp_path / "data" / "twinspace.db")
    else:
        s = PostgresStore(request.getfixturevalue("pg_url"), path=tmp_path / "data" / "twinspace.db")
    yield s
    s.close()


def run_session(store: HomeStore, bundle) -> dict:
    """A fixed sequence of hub operations; returns everything observable about the result."""
    hub = Hub(store, clock=lambda: DEMO_NOW)
    hub.import_bundle(bundle)
    home = hub.home("demo-loft")
    owner = Caller(home_id="demo-loft", person=home.owner_id(), role="owner")
    hub.apply("demo-loft", "device.power", {"device": "lamp-floor", "on": True}, caller=owner)
    hub.apply("demo-loft", "device.light", {"device": "lamp-floor", "brightness": 40}, caller=owner)
    undone = hub.undo("demo-loft", owner)
    with pytest.raises(Conflict, match="nothing to undo|can no longer"):
        hub.undo("demo-loft", owner)
    code = access.create_pairing_code(store, "demo-loft")
    issued = access.redeem_pairing_code(store, code.code, "Quest")
    caller = access.authenticate(store, issued.token)
    devices = access.paired_devices(store, "demo-loft")
    revoked = access.revoke_tokens(store, "demo-loft", label="Quest")
    still = access.valid(store, issued.token)
    fresh = Hub(store, clock=lambda: DEMO_NOW)  # a second process sees the committed state
    return {
        "version": store.home_version("demo-loft"),
        "home": fresh.home("demo-loft").model_dump(mode="json"),
        "journal": [(e.version, e.action, e.args, e.message, e.undone) for e in store.journal("demo-loft")],
        "undone": undone.message,
        "caller": caller,
        "devices": [(d.label, d.role, d.person) for d in devices],
        "revoked": revoked,
        "still_valid": still,
        "files": store.files("demo-loft") == bundle.files,
        "ids": store.home_ids(),
    }


def test_both_stores_satisfy_the_protocol(any_store) -> None:
    assert isinstance(any_store, HomeStore)
    assert any_store.schema_version >= 3


def test_hub_operations_give_the_same_results_on_both_stores(tmp_path: Path, pg_url: str, demo_bundle) -> None:
    lite = Store(tmp_path / "lite" / "twinspace.db")
    pg = PostgresStore(pg_url, path=tmp_path / "pg" / "twinspace.db")
    try:
        a, b = run_session(lite, demo_bundle), run_session(pg, demo_bundle)
    finally:
        lite.close()
        pg.close()
    assert a["journal"] and a["journal"][0][1] == "undo"
    assert a["revoked"] == 1 and a["still_valid"] is False and a["files"] is True
    assert a == b


def test_stale_writer_is_refused_on_both(any_store, demo_bundle) -> None:
    v = any_store.create_home(demo_bundle.home, demo_bundle.files)
    changed = demo_bundle.home.model_copy(update={"name": "Renamed"})
    any_store.commit_change(changed, v, demo_bundle.home, action="x", args={}, message="m", person=None, device=None)
    with pytest.raises(Conflict, match="changed while"):
        any_store.commit_change(changed, v, demo_bundle.home, action="x", args={}, message="m", person=None,
                                device=None)
    with pytest.raises(Conflict, match="already exists"):
        any_store.create_home(demo_bundle.home, demo_bundle.files)


def test_postgres_commits_survive_a_server_restart(postgres, pg_url: str, tmp_path: Path, demo_bundle) -> None:
    store = PostgresStore(pg_url, path=tmp_path / "twinspace.db")
    v = store.create_home(demo_bundle.home, demo_bundle.files)
    changed = demo_bundle.home.model_copy(update={"name": "After restart"})
    store.commit_change(changed, v, demo_bundle.home, action="rename", args={}, message="m", person=None,
                        device=None)
    store.close()
    postgres.stop("immediate")  # no shutdown checkpoint: what was acknowledged must be in the WAL
    postgres.start()
    again = PostgresStore(pg_url, path=tmp_path / "twinspace.db")
    try:
        home, version = again.load_home("demo-loft")
        assert (home.name, version) == ("After restart", v + 1)
        assert again.journal("demo-loft")[0].action == "rename"
    finally:
        again.close()


def test_only_the_last_fence_issued_commits(pg_url: str, tmp_path: Path, demo_bundle) -> None:
    old = PostgresStore(pg_url, path=tmp_path / "x.db")
    new = PostgresStore(pg_url, path=tmp_path / "x.db")
    try:
        old.fencing = HeldFence(old.issue_fence("demo-loft"))
        v = old.create_home(demo_bundle.home, demo_bundle.files)
        new.fencing = HeldFence(new.issue_fence("demo-loft"))
        assert new.fencing.held > old.fencing.held
        # the old writer is refused from the moment the new fence is issued, before the new one writes
        with pytest.raises(Conflict, match="no longer owns"):
            old.commit_change(demo_bundle.home, v, demo_bundle.home, action="y", args={}, message="m", person=None,
                              device=None)
        assert old.fencing.refusals == [("demo-loft", old.fencing.held)]
        changed = demo_bundle.home.model_copy(update={"name": "New owner"})
        v = new.commit_change(changed, v, demo_bundle.home, action="x", args={}, message="m", person=None,
                              device=None)
        with pytest.raises(Conflict, match="no longer owns"):
            old.undo_last("demo-loft", None, None)
        assert new.load_home("demo-loft") == (changed, v) and not new.fencing.refusals
    finally:
        old.close()
        new.close()


def test_the_setting_selects_the_store(pg_url: str, tmp_path: Path) -> None:
    from twinspace.config import Settings
    from twinspace.runtime import open_hub

    plain = open_hub(Settings.from_env({"TWINSPACE_DATA": str(tmp_path / "a")}))
    assert isinstance(plain.store, Store) and plain.services is not None  # no configuration: today's hub
    plain.store.close()
    pg = open_hub(Settings.from_env({"TWINSPACE_DATA": str(tmp_path / "b"), "TWINSPACE_DATABASE_URL": pg_url}))
    from twinspace.store.base import numbered_migrations

    assert isinstance(pg.store, PostgresStore) and pg.services is not None  # content on PostgreSQL too
    assert pg.store.schema_version == len(numbered_migrations("migrations_pg"))
    pg.store.close()
    with pytest.raises(ValueError, match="postgresql:// URL"):
        Settings.from_env({"TWINSPACE_DATABASE_URL": "mysql://x"})


def spaces_session(store, bundle) -> dict:  # noqa: ANN001 - either store
    """Host a cinema, invite, redeem, reuse, revoke: the spaces tables on one store."""
    from twinspace.errors import Unauthorized
    from twinspace.spaces import hosting, invites

    hub = Hub(store, clock=lambda: DEMO_NOW)
    hub.import_bundle(bundle)
    space = hosting.create_space(hub, Caller("demo-loft", "alex", role="owner"), "cinema", "Movie night", "movie-night")
    made = invites.create_invite(hub, space, by="alex", label="the Kims", base_url="http://127.0.0.2:8080")
    guest = invites.redeem(hub, made.code, "Joon")
    caller = access.authenticate(store, guest.token)
    try:
        invites.redeem(hub, made.code, "again")
        reused = "redeemed twice"
    except Unauthorized:
        reused = "refused"
    invites.revoke(hub, "movie-night", made.id)
    return {"caller": caller, "reused": reused, "still_valid": access.valid(store, guest.token),
            "states": [i.state for i in invites.invites(store, "movie-night")],
            "people": [p.id for p in Hub(store).home("movie-night").people], "ids": store.home_ids()}


def test_spaces_and_invites_give_the_same_results_on_both_stores(tmp_path: Path, pg_url: str, demo_bundle) -> None:
    lite = Store(tmp_path / "lite" / "twinspace.db")
    pg = PostgresStore(pg_url, path=tmp_path / "pg" / "twinspace.db")
    try:
        a, b = spaces_session(lite, demo_bundle), spaces_session(pg, demo_bundle)
    finally:
        lite.close()
        pg.close()
    assert a["caller"].role == "guest" and a["reused"] == "refused" and a["still_valid"] is False
    assert a["states"] == ["revoked"] and "guest-1" not in a["people"]
    assert a == b
