"""Wiring: open the store and hub for a data directory, create the demo home, serve."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Optional

from twinspace.config import Settings
from twinspace.errors import FormatError
from twinspace.home.homefile import HomeBundle, read_home_dir, read_json
from twinspace.home.model import Home
from twinspace.hub import Hub
from twinspace.store.base import HomeStore
from twinspace.store.sqlite import Store, utcnow


def open_hub(settings: Settings, *, serving: bool = False) -> Hub:
    """The hub for these settings; `serving`: it will serve (`twinspace up`), so on a cluster it
    is a replica that owns homes rather than a CLI command writing beside them."""
    if settings.database_url:
        return open_postgres_hub(settings, serving=serving)
    store = Store(settings.database)
    return Hub(store, services=content_services(store))


def open_postgres_hub(settings: Settings, *, serving: bool = False) -> Hub:
    """The hub on PostgreSQL (TWINSPACE_DATABASE_URL), one of several replicas when
    TWINSPACE_REDIS_URL is set too (docs/deploy.md). Its content services (catalogue, guide,
    search, playback, resume points) run on the same PostgreSQL (store/catalog_pg.py)."""
    from twinspace.store.postgres import PostgresStore

    store = PostgresStore(settings.database_url or "", path=settings.database)
    replica = None
    if settings.redis_url:
        from twinspace.cluster.replica import Replica

        try:
            replica = Replica(settings.redis_url, settings.replica_address if serving else None, store.issue_fence)
        except BaseException:
            store.close()
            raise
        store.fencing = replica.fencing  # before anything is written: a replica's writes are fenced
    hub = Hub(store, services=content_services(store))
    if replica is not None:
        hub.cluster = replica
        hub.subscribe(replica.publish)
    return hub


def content_services(store: HomeStore):  # noqa: ANN201 - content.services.ContentServices
    from twinspace.content.services import ContentServices

    return ContentServices(store)


def read_any(path: Path, home_id: Optional[str] = None) -> HomeBundle:
    """A home directory, a home.json, or a Meta MRUK scene JSON file."""
    if path.is_dir():
        return read_home_dir(path)
    if path.name == "home.json":
        return read_home_dir(path.parent)
    if path.suffix.lower() != ".json":
        raise FormatError(str(path), "", "expected a home directory, a home.json or an MRUK scene .json file")
    from twinspace.home import mruk

    data = read_json(path)
    if mruk.is_mruk(data):
        return mruk.parse_mruk(data, str(path), home_id or mruk.home_id_for(path))
    raise FormatError(str(path), "(top level)",
                      "neither a twinspace home.json nor a Meta MRUK scene (no 'CoordinateSystem' and 'Rooms')")


def ensure_demo_home(hub: Hub, base_url: str) -> Optional[Home]:
    """Create the demo home if the hub has no home yet; returns it when created."""
    if hub.home_ids():
        return None
    from twinspace.demo import write_demo_home

    with tempfile.TemporaryDirectory(prefix="twinspace-demo-") as tmp:
        bundle = read_home_dir(write_demo_home(Path(tmp), utcnow().astimezone(), base_url))
        return hub.import_bundle(bundle)


M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
MALLOC_ARENAS = 2


def limit_malloc_arenas() -> None:
    """Cap glibc's malloc arenas before the hub starts its threads. glibc gives each thread
    that allocates its own arena (up to 8 per core), and the hub's model, speech and API
    threads each kept tens of MB there: the loaded hub measured 653 MB with the default and
    573 MB with 2 arenas (tests/reliability/test_crash_memory.py). MALLOC_ARENA_MAX in the
    environment, when set, is left to decide; other C libraries are left alone."""
    if os.environ.get("MALLOC_ARENA_MAX") or not sys.platform.startswith("linux"):
        return
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to cap
        pass


def serve(hub: Hub, host: str, port: int) -> None:
    import uvicorn

    from twinspace.server.app import create_app

    from twinspace.voice.warmup import warm_in_background

    limit_malloc_arenas()
    if os.environ.get("TWINSPACE_GC_FREEZE", "1") != "0":  # 0: CPython's own full collections (bench/scale.py)
        from twinspace.gc_freezer import GcFreezer

        GcFreezer().start()
    if os.environ.get("TWINSPACE_PRELOAD", "1") != "0":  # 0: replicas and tests that never speak
        warm_in_background(Path(hub.store.path).parent)  # the first voice turn should not wait for models
    uvicorn.run(create_app(hub), host=host, port=port, log_level="info")
