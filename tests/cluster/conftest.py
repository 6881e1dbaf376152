"""Fixtures: a PostgreSQL and a Redis server for the session, a fresh database and an emptied
Redis per test."""

from __future__ import annotations

import shutil
import uuid

import pytest

from servers import Postgres, Redis, add_postgres_to_path


@pytest.fixture(scope="session")
def postgres():
    add_postgres_to_path()
    missing = [b for b in ("initdb", "pg_ctl", "createdb") if shutil.which(b) is None]
    if missing:
        pytest.skip(f"PostgreSQL binaries not on PATH ({', '.join(missing)}): run scripts/system-deps")
    server = Postgres()
    yield server
    server.cleanup()


@pytest.fixture
def pg_url(postgres) -> str:
    """A new, empty database on the session's server."""
    import psycopg

    name = "t" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server not on PATH: run scripts/system-deps")
    server = Redis()
    yield server
    server.cleanup()


@pytest.fixture
def client(redis_server):
    """A client of the session's Redis, emptied first."""
    import redis

    c = redis.Redis.from_url(redis_server.url)
    c.flushall()
    yield c
    c.close()
