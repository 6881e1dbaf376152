"""Whether the hub's port is free, and if not, what holds it; a free port to start a server on,
and waiting for a started server to listen on it.

A hub that crashed could leave children listening on its port, and `up` then failed with
uvicorn's bare "address already in use". `up` checks first and names the holder.
"""

from __future__ import annotations

import errno
import socket
import subprocess
import time
from typing import Optional

from twinspace.errors import Conflict


class PortBusy(Conflict):
    title = "Port in use"
    slug = "port-in-use"


def holder(port: int) -> str:
    """Who listens on TCP `port`: a process id, name and command line when the OS tells."""
    import psutil

    try:
        listening = [c for c in psutil.net_connections(kind="inet")
                     if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN]
    except psutil.AccessDenied:
        listening = []
    for c in listening:
        if c.pid is None:
            continue
        try:
            p = psutil.Process(c.pid)
            command = " ".join(p.cmdline())[:120] or p.name()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            command = "?"
        return f"process {c.pid} ({command})"
    if listening:
        return "a process this user may not see (`sudo ss -ltnp` names it)"
    return "another program"


def ensure_free(host: str, port: int) -> None:
    """PortBusy naming the holder if the hub could not listen on host:port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is not busy
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise PortBusy(f"cannot listen on {host}:{port}: {e.strerror}; choose another address "
                               "with --host or TWINSPACE_HOST") from None
            raise PortBusy(f"{host}:{port} is already in use by {holder(port)}; stop it, or start the hub "
                           "on another port with --port or TWINSPACE_PORT") from None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port of `host` nobody listens on now (for servers that must be told their port:
    the local cluster's, the tests' and benchmarks')."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float, proc: Optional[subprocess.Popen] = None, what: str = "") -> None:
    """Return once something listens on 127.0.0.1:`port`; RuntimeError if `proc` (the server
    started for it) exits first or nothing listens within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what or 'the server'} exited with code {proc.returncode} while starting")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what or 'a server'} did not listen on port {port} within {timeout:.0f} s")
