import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from twinspace.errors import Conflict, NotFound
from twinspace.store.sqlite import Store, migrations


def test_migrations_are_numbered_and_applied(store: Store) -> None:
    numbers = [n for n, _, _ in migrations()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert store.schema_version == numbers[-1]
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # Reopening does not re-run migrations (they would fail on existing tables).
    again = Store(store.path)
    assert again.schema_version == numbers[-1]
    again.close()


def test_home_round_trips_through_the_store(store: Store, demo_bundle) -> None:
    version = store.create_home(demo_bundle.home, demo_bundle.files)
    home, v = store.load_home("demo-loft")
    assert (home, v) == (demo_bundle.home, version)
    assert store.files("demo-loft") == demo_bundle.files
    with pytest.raises(Conflict, match="already exists"):
        store.create_home(demo_bundle.home, demo_bundle.files)
    with pytest.raises(NotFound):
        store.load_home("elsewhere")


def test_stale_writer_is_refused(store: Store, demo_bundle) -> None:
    v = store.create_home(demo_bundle.home, demo_bundle.files)
    changed = demo_bundle.home.model_copy(update={"name": "Renamed"})
    store.commit_change(changed, v, demo_bundle.home, action="x", args={}, message="m", person=None, device=None)
    with pytest.raises(Conflict, match="changed while"):
        store.commit_change(changed, v, demo_bundle.home, action="x", args={}, message="m", person=None, device=None)
    assert store.load_home("demo-loft")[0].name == "Renamed"


def test_failed_action_leaves_nothing_behind(hub, owner) -> None:
    before = hub.home("demo-loft")
    version = hub.version("demo-loft")
    with pytest.raises(Exception):
        hub.apply("demo-loft", "device.light", {"device": "tv-lounge", "brightness": 10}, caller=owner)
    assert hub.version("demo-loft") == version
    assert hub.store.load_home("demo-loft")[0] == before
    assert hub.store.journal("demo-loft") == []


def test_journal_and_undo(hub, owner) -> None:
    hub.apply("demo-loft", "device.power", {"device": "lamp-floor", "on": True}, caller=owner)
    assert hub.home("demo-loft").device_state("lamp-floor").on
    entry = hub.store.journal("demo-loft")[0]
    assert (entry.action, entry.args, entry.person) == ("device.power", {"device": "lamp-floor", "on": True}, "alex")
    outcome = hub.undo("demo-loft", owner)
    assert outcome.args["action"] == "device.power"
    assert not hub.home("demo-loft").device_state("lamp-floor").on
    assert not Store(hub.store.path).load_home("demo-loft")[0].device_state("lamp-floor").on
    with pytest.raises(Conflict):
        hub.undo("demo-loft", owner)


WRITER = textwrap.dedent("""
    import sys
    from twinspace.actions.registry import Caller
    from twinspace.hub import Hub
    from twinspace.store.sqlite import Store
    hub = Hub(Store(sys.argv[1]))
    caller = Caller("demo-loft", "alex", "test", "owner")
    for i in range(1, 100000):
        hub.apply("demo-loft", "device.light", {"device": "lamp-floor", "brightness": i % 100 + 1}, caller=caller)
        print(i, flush=True)  # acknowledged: the commit returned
""")


@pytest.mark.parametrize("run", range(3))
def test_acknowledged_changes_survive_kill_9(tmp_path: Path, demo_bundle, run: int) -> None:
    db = tmp_path / "db" / "twinspace.db"
    Store(db).create_home(demo_bundle.home, demo_bundle.files)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    acked = 0
    deadline = time.monotonic() + 60
    target = 20 + 17 * run  # kill at a different point each run
    assert proc.stdout is not None
    while acked < target and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acked = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert acked >= target, "the writer did not get going"
    store = Store(db)
    home, version = store.load_home("demo-loft")
    journal = store.journal("demo-loft", limit=1)[0]
    # Every acknowledged change is there (one more may have committed before its ack was printed).
    assert version - 1 in (acked, acked + 1)
    assert journal.version == version
    assert home.device_state("lamp-floor").brightness == (version - 1) % 100 + 1
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
