"""wait_port: the local cluster and the benchmarks wait with it for the servers they start."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from twinspace.portcheck import free_port, wait_port


def test_returns_once_something_listens() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        wait_port(s.getsockname()[1], 5)


def test_a_server_that_exits_while_starting_is_named() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(RuntimeError, match="the test server exited with code 3 while starting"):
        wait_port(free_port(), 10, proc, "the test server")


def test_nothing_listening_times_out_with_the_port() -> None:
    port = free_port()
    with pytest.raises(RuntimeError, match=f"did not listen on port {port} within 0 s"):
        wait_port(port, 0.3)
