"""Configuration from `TWINSPACE_*` environment variables, with defaults that work on a fresh machine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8080
    database_url: str | None = None  # TWINSPACE_DATABASE_URL=postgresql://...: the PostgreSQL store
    redis_url: str | None = None  # TWINSPACE_REDIS_URL=redis://...: one of several replicas (docs/deploy.md)
    replica_url: str | None = None  # TWINSPACE_REPLICA_URL: where other replicas reach this one

    @property
    def replica_address(self) -> str:
        """The address other replicas forward this replica's homes to."""
        if self.replica_url:
            return self.replica_url.rstrip("/")
        if self.host in ("0.0.0.0", "::", ""):
            raise ValueError("a replica bound to every interface needs TWINSPACE_REPLICA_URL "
                             "(the address the other replicas reach it at, e.g. http://10.0.0.5:8080)")
        return f"http://{self.host}:{self.port}"

    @property
    def database(self) -> Path:
        return self.data_dir / "twinspace.db"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ) if env is None else env
        data = env.get("TWINSPACE_DATA") or user_data_dir("twinspace", appauthor=False)
        port = env.get("TWINSPACE_PORT", "8080")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"TWINSPACE_PORT must be a port number (1-65535), not {port!r}")
        return cls(data_dir=Path(data).expanduser(), host=env.get("TWINSPACE_HOST", "127.0.0.1"), port=int(port),
                   database_url=_database_url(env.get("TWINSPACE_DATABASE_URL")),
                   redis_url=_redis_url(env.get("TWINSPACE_REDIS_URL"), env.get("TWINSPACE_DATABASE_URL")),
                   replica_url=env.get("TWINSPACE_REPLICA_URL") or None)


def _database_url(raw: str | None) -> str | None:
    if not raw:
        return None
    if not raw.startswith(("postgresql://", "postgres://")):
        raise ValueError(f"TWINSPACE_DATABASE_URL must be a postgresql:// URL (or unset for the SQLite file), "
                         f"not {raw.split('://')[0]!r}://...")
    return raw


def _redis_url(raw: str | None, database: str | None) -> str | None:
    if not raw:
        return None
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"TWINSPACE_REDIS_URL must be a redis:// URL, not {raw.split('://')[0]!r}://...")
    if not database:
        raise ValueError("TWINSPACE_REDIS_URL makes this hub one of several replicas, which share one "
                         "PostgreSQL store: set TWINSPACE_DATABASE_URL too")
    return raw
