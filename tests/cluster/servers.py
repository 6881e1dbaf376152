"""Real PostgreSQL and Redis servers on free loopback ports, started and stopped by the test run."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_postgres_to_path() -> None:
    """Debian keeps initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, off PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if found and shutil.which("initdb") is None:
        os.environ["PATH"] = found[-1] + os.pathsep + os.environ["PATH"]


def _as_postgres(*cmd: str) -> list[str]:
    # PostgreSQL refuses to run as root; run it as the postgres user then.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


class Postgres:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="twinspace-pg-"))
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
                                    "-o", f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=on", "start"),
                       check=True, capture_output=True, timeout=90)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_postgres("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop"),
                       capture_output=True, timeout=90)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="twinspace-redis-"))
        self.port = free_port()
        self.proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
                                      "--dir", str(self.dir), "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start within 10 s")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def cleanup(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)
