"""mDNS discovery for real, with the real `twinspace up --lan`, in a network namespace this test
creates (its own loopback with multicast switched on, so nothing reaches any other network):
`twinspace discover` lists the hub with its TXT record, a browser watching the network sees it
go away as soon as the hub stops, and the hub's output keeps pairing codes out of logs."""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from twinspace.lan.discovery import SERVICE

pytestmark = pytest.mark.slow

SRC = Path(__file__).resolve().parents[2] / "src"
WATCH = f"""
import sys, time
from zeroconf import IPVersion, ServiceBrowser, Zeroconf
zc = Zeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
def seen(zeroconf, service_type, name, state_change):
    print(state_change.name, name, flush=True)
ServiceBrowser(zc, {SERVICE!r}, handlers=[seen])
print("watching", flush=True)
time.sleep(float(sys.argv[1]))
zc.close()
"""


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)


@pytest.fixture
def netns() -> Iterator[str]:
    if shutil.which("ip") is None:
        pytest.skip("iproute2's `ip` is missing: network namespaces cannot be made here")
    name = f"twinspace-lan-{os.getpid()}"
    made = _ip("netns", "add", name)
    if made.returncode != 0:
        pytest.skip(f"cannot create a network namespace here (`ip netns add` needs root or CAP_SYS_ADMIN): "
                    f"{made.stderr.strip()}")
    try:
        for step in (("link", "set", "lo", "up"), ("link", "set", "lo", "multicast", "on"),
                     ("route", "add", "224.0.0.0/4", "dev", "lo")):
            done = _ip("netns", "exec", name, "ip", *step)
            assert done.returncode == 0, done.stderr
        yield name
    finally:
        _ip("netns", "del", name)


class Lines:
    """A child's stdout, read line by line with a deadline (never blocks the test for ever)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._sel = selectors.DefaultSelector()
        self._sel.register(proc.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]

    def until(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            if self._sel.select(timeout=0.2):
                line = self.proc.stdout.readline()  # type: ignore[union-attr]
                if line:
                    self.lines.append(line.rstrip("\n"))
                elif self.proc.poll() is not None:
                    break
        raise AssertionError(f"{text!r} did not appear within {timeout:.0f} s; output so far:\n" + "\n".join(self.lines))


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINSPACE_")}
    env.update({"TWINSPACE_DATA": str(data), "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1"})
    return env


def test_discover_lists_the_hub_and_it_goes_away_on_shutdown(netns: str, tmp_path: Path) -> None:
    in_ns = ["ip", "netns", "exec", netns]
    env = _env(tmp_path / "data")
    hub = subprocess.Popen([*in_ns, sys.executable, "-m", "twinspace.cli", "up", "--lan", "--host", "127.0.0.1"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    watcher = None
    try:
        out = Lines(hub)
        out.until("Set up a device", timeout=120)
        out.until("Advertised on mDNS", timeout=60)
        printed = "\n".join(out.lines)
        assert "https://127.0.0.1:8443/" in printed  # the default port, on the bound address
        assert "http://127.0.0.1:8080/setup" in printed
        assert "#pair=" not in printed and "Pair devices with `twinspace pair --qr`" in printed  # not a terminal
        fingerprint = _fingerprint(tmp_path / "data")

        found = subprocess.run([*in_ns, sys.executable, "-m", "twinspace.cli", "discover", "--seconds", "5",
                                "--interface", "127.0.0.1"], capture_output=True, text=True, env=env, timeout=60)
        assert found.returncode == 0, found.stderr
        line = next(ln for ln in found.stdout.splitlines() if "home=Demo loft" in ln)
        assert "https://" in line and ":8443/" in line and "addresses=127.0.0.1" in line, line
        assert f"ca-sha256={fingerprint}" in line and "version=" in line

        watcher = subprocess.Popen([*in_ns, sys.executable, "-c", WATCH, "60"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, env=env)
        seen = Lines(watcher)
        seen.until("Added Demo loft", timeout=30)
        stopped_at = time.monotonic()
        hub.send_signal(signal.SIGINT)
        seen.until("Removed Demo loft", timeout=15)  # goodbye packets, not a 75-minute TTL
        removed_after = time.monotonic() - stopped_at
        out.until("advertisement was withdrawn", timeout=30)
        code = hub.wait(30)
        assert code == 0, (code, out.lines[-15:])
        assert removed_after < 10, removed_after
        print(f"mDNS: the hub left a watching browser {removed_after:.2f} s after SIGINT")
    finally:
        for proc in (hub, watcher):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)
    gone = subprocess.run([*in_ns, sys.executable, "-m", "twinspace.cli", "discover", "--seconds", "1.5",
                           "--interface", "127.0.0.1"], capture_output=True, text=True, env=env, timeout=60)
    assert gone.returncode == 1 and "No twinspace hub answered" in gone.stderr


def test_pair_qr_prints_a_link_only_when_asked(tmp_path: Path) -> None:
    """`twinspace pair --qr` prints the link and a terminal QR code; `up` leaves codes out of logs."""
    env = {**_env(tmp_path / "data"), "TWINSPACE_LAN_NAMES": "hub.twinspace.test", "TWINSPACE_HTTPS_PORT": "9443"}
    setup = subprocess.run([sys.executable, "-m", "twinspace.cli", "import", str(_demo(tmp_path))],
                           capture_output=True, text=True, env=env, timeout=120)
    assert setup.returncode == 0, setup.stderr
    done = subprocess.run([sys.executable, "-m", "twinspace.cli", "pair", "--qr"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "https://hub.twinspace.test:9443/#pair=" in done.stdout
    assert "▀" in done.stdout or "█" in done.stdout or "\x1b[" in done.stdout  # the QR code itself
    assert "http://hub.twinspace.test:8080/setup" in done.stdout


def _demo(tmp_path: Path) -> Path:
    from datetime import datetime, timezone

    from twinspace.demo import write_demo_home

    return write_demo_home(tmp_path / "demo-home", datetime.now(timezone.utc))


def _fingerprint(data: Path) -> str:
    from cryptography import x509

    from twinspace.lan.ca import fingerprint

    cert = x509.load_pem_x509_certificate((data / "tls" / "ca.crt").read_bytes())
    return fingerprint(cert).replace(":", "").lower()
