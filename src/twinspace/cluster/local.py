"""A whole cluster on one machine, from Debian's binaries: PostgreSQL, Redis, HAProxy and N
hub replicas on loopback. Used by `scripts/cluster`, the failover tests and bench/scale.py;
docs/deploy.md shows the same layout on several machines.

Every server runs in the foreground as a child of this process, with its data and log in
one directory; `stop()` ends them all (the directory is removed unless asked to keep it).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

from twinspace.cluster.haproxy import haproxy_config
from twinspace.portcheck import free_port, wait_port


def add_postgres_to_path() -> None:
    """Debian keeps initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, off PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if found and shutil.which("initdb") is None:
        os.environ["PATH"] = found[-1] + os.pathsep + os.environ["PATH"]


def missing_binaries() -> list[str]:
    add_postgres_to_path()
    return [b for b in ("initdb", "pg_ctl", "createdb", "redis-server", "haproxy") if shutil.which(b) is None]


def _as_postgres(*cmd: str) -> list[str]:
    # PostgreSQL refuses to run as root; run it as the postgres user then.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


class Postgres:
    def __init__(self, directory: Optional[Path] = None) -> None:
        add_postgres_to_path()
        self.dir = Path(directory or tempfile.mkdtemp(prefix="twinspace-pg-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        subprocess.run(_as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"),
                       check=True, capture_output=True, timeout=120)
        self.start()
        subprocess.run(_as_postgres("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                                    "twinspace"), check=True, capture_output=True, timeout=60)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/twinspace"

    def start(self) -> None:
        subprocess.run(_as_postgres("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60",
                                    "-o", f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=on "
                                    "-c max_connections=300", "start"),
                       check=True, capture_output=True, timeout=90)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_postgres("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop"),
                       capture_output=True, timeout=90)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    def __init__(self, directory: Optional[Path] = None) -> None:
        self.dir = Path(directory or tempfile.mkdtemp(prefix="twinspace-redis-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.start()

    def start(self) -> None:
        # No persistence: a restart comes back empty, as Redis without `appendonly` does (docs/deploy.md).
        self.proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
                                      "--dir", str(self.dir), "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, 10, self.proc, "redis-server")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def restart(self) -> None:
        """Stop the server and start it again on the same port, without its data."""
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.start()

    def flushall(self) -> None:
        """Every key gone at once, leases and streams alike (as FLUSHALL by an operator)."""
        import redis

        client = redis.Redis.from_url(self.url)
        try:
            client.flushall()
        finally:
            client.close()

    def cleanup(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


class HubReplica:
    """`twinspace up` on a loopback port as one replica of the cluster."""

    def __init__(self, name: str, port: int, env: dict[str, str], log: Path) -> None:
        self.name, self.port, self.env, self.log = name, port, env, log
        self.proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**self.env, "TWINSPACE_REPLICA_URL": self.url}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "twinspace.cli", "up", "--host", "127.0.0.1",
                                          "--port", str(self.port)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)

    def wait(self, timeout: float = 60) -> None:
        wait_port(self.port, timeout, self.proc, f"replica {self.name} (log: {self.log})")

    def kill(self) -> None:
        """`kill -9`: no lease given back, no socket closed cleanly."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class LocalCluster:
    def __init__(self, directory: Optional[Path] = None, *, replicas: int = 3, port: int = 0,
                 replica_ports: Optional[list[int]] = None, keep: bool = False,
                 extra_env: Optional[dict[str, str]] = None) -> None:
        missing = missing_binaries()
        if missing:
            raise RuntimeError(f"missing {', '.join(missing)}: run scripts/system-deps (Debian packages "
                               "postgresql, redis-server, haproxy)")
        self.dir = Path(directory or tempfile.mkdtemp(prefix="twinspace-cluster-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o711)  # PostgreSQL's own user must reach its data directory inside
        self.keep = keep
        self.port = port or free_port()
        self.replica_ports = replica_ports or [free_port() for _ in range(replicas)]
        self.extra_env = extra_env or {}
        self.postgres: Optional[Postgres] = None
        self.redis: Optional[Redis] = None
        self.haproxy: Optional[subprocess.Popen] = None
        self.replicas: list[HubReplica] = []

    @property
    def url(self) -> str:
        """The load balancer: what clients use."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        assert self.postgres and self.redis
        return {**os.environ, "TWINSPACE_DATA": str(self.dir / "hub"), "TWINSPACE_DATABASE_URL": self.postgres.url,
                "TWINSPACE_REDIS_URL": self.redis.url, "TWINSPACE_PRELOAD": "0", **self.extra_env}

    def start(self, timeout: float = 120) -> "LocalCluster":
        try:
            self.postgres = Postgres(self.dir / "postgres")
            self.redis = Redis(self.dir / "redis")
            self._prepare()
            self.replicas = [HubReplica(f"r{i + 1}", p, self.env, self.dir / f"replica-{i + 1}.log")
                             for i, p in enumerate(self.replica_ports)]
            for replica in self.replicas:
                replica.start()
            for replica in self.replicas:
                replica.wait(timeout)
            config = self.dir / "haproxy.cfg"
            config.write_text(haproxy_config(self.port, [(r.name, "127.0.0.1", r.port) for r in self.replicas]))
            with open(self.dir / "haproxy.log", "ab") as out:
                self.haproxy = subprocess.Popen(["haproxy", "-f", str(config), "-db"], stdout=out,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            wait_port(self.port, 20, self.haproxy, "haproxy")
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare(self) -> None:
        """Migrate the database and create the demo home once, before the replicas start."""
        from twinspace.config import Settings
        from twinspace.runtime import ensure_demo_home, open_hub

        hub = open_hub(Settings.from_env(self.env))
        try:
            ensure_demo_home(hub, base_url=self.url)
        finally:
            hub.store.close()
            hub.cluster.close()

    def replica_at(self, address: str) -> HubReplica:
        return next(r for r in self.replicas if r.url == address)

    def stop(self) -> None:
        if self.haproxy is not None and self.haproxy.poll() is None:
            self.haproxy.terminate()
            self.haproxy.wait(timeout=10)
        for replica in self.replicas:
            replica.stop()
        if self.redis is not None:
            self.redis.cleanup() if not self.keep else self.redis.proc.terminate()
        if self.postgres is not None:
            self.postgres.stop() if self.keep else self.postgres.cleanup()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
