"""LAN mode's moving parts, started and stopped together: the HTTPS server (the whole hub,
behind the shared-network guard), the plain-HTTP setup/redirect server, the certificate
keeper and the mDNS advertisement. Shutdown withdraws the advertisement (goodbye packets)
before the sockets close."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
import socket
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

import uvicorn
from fastapi import FastAPI

from twinspace import __version__
from twinspace.errors import InvalidInput
from twinspace.lan.ca import LocalCA
from twinspace.lan.config import LanConfig
from twinspace.lan.discovery import Advertiser, service_info, txt
from twinspace.lan.guard import SharedNetworkGuard
from twinspace.lan.names import HubNames, IPAddress, host_label, lan_addresses
from twinspace.lan.redirect import redirect_app
from twinspace.lan.state import LanState
from twinspace.lan.tls import CertificateKeeper

log = logging.getLogger("twinspace.lan")


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals to LanServer (two servers must stop as one)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise InvalidInput(f"cannot listen on {host}:{port} ({e.strerror}); is another hub running? "
                           f"Choose other ports with TWINSPACE_HTTPS_PORT / TWINSPACE_PORT") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class LanServer:
    def __init__(self, app: FastAPI, lan: LanConfig, data_dir: Path, host: str, http_port: int,
                 home_name: str = "twinspace", label: Optional[str] = None,
                 addresses: Callable[[], Sequence[IPAddress]] = lan_addresses,
                 check_interval: float = 60.0, log_level: str = "info",
                 sockets: Optional[tuple[socket.socket, socket.socket]] = None,
                 on_ready: Callable[["LanServer"], object] = lambda _: None) -> None:
        self.host = host
        self.lan = lan
        self.https_sock, self.http_sock = sockets or (bind(host, lan.https_port), bind(host, http_port))
        https_port, http_port = self.https_sock.getsockname()[1], self.http_sock.getsockname()[1]
        self.label = label or host_label()

        def names() -> HubNames:
            return HubNames.gather(self.label, lan.names, addresses(), host)

        if lan.own_certificate:
            keeper = CertificateKeeper(names, own=(lan.tls_cert, lan.tls_key), interval=check_interval)  # type: ignore[arg-type]
        else:
            keeper = CertificateKeeper(names, ca=LocalCA(data_dir / "tls", self.label), interval=check_interval)
        self.keeper = keeper
        self.state = LanState(keeper, https_port, http_port, home_name)
        app.state.lan = self.state
        guarded = SharedNetworkGuard(app, self.state.names, https_port)
        self.https = _QuietServer(uvicorn.Config(guarded, lifespan="on", log_level=log_level,
                                                 ssl_context_factory=lambda _config, _default: keeper.context))
        self.http = _QuietServer(uvicorn.Config(redirect_app(lambda: self.state), lifespan="off",
                                                log_level=log_level))
        self.advertiser = Advertiser(host) if lan.advertise else None
        self.ready = threading.Event()
        self.on_ready = on_ready
        self.stopped = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    # --- addresses to advertise -----------------------------------------------------------

    def advertised_addresses(self) -> list[str]:
        bound = ipaddress.ip_address(self.host) if self.host else None
        out = [str(ip) for ip in self.state.names().ips
               if ip.version == 4 and (not ip.is_loopback or ip == bound)]
        return out

    async def _names_changed(self, _: HubNames) -> None:
        if self.advertiser is not None:
            await self.advertiser.update(self.advertised_addresses())

    # --- running --------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask both servers to finish (thread-safe); `serve` then withdraws the advertisement."""
        self.https.should_exit = True
        self.http.should_exit = True

    async def serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._loop.add_signal_handler(sig, self._on_signal)
        tasks = [asyncio.create_task(self.https.serve(sockets=[self.https_sock])),
                 asyncio.create_task(self.http.serve(sockets=[self.http_sock]))]
        keeper: Optional[asyncio.Task[Any]] = None
        try:
            while not (self.https.started and self.http.started):
                if any(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.05)
            if self.https.started and self.http.started:
                keeper = asyncio.create_task(self.keeper.run(self._names_changed))
                await self._advertise()
                self.ready.set()
                self.on_ready(self)
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.stop()
            if keeper is not None:
                keeper.cancel()
            if self.advertiser is not None:
                try:
                    await self.advertiser.close()
                except Exception as e:  # noqa: BLE001 - stopping anyway; say why the goodbye failed
                    log.warning("could not withdraw the mDNS advertisement: %s", e)
            await asyncio.gather(*tasks, return_exceptions=True)
            self.stopped.set()
        for t in tasks:
            if t.exception() is not None:
                raise t.exception()  # type: ignore[misc]

    def _on_signal(self) -> None:
        if self.https.should_exit:  # a second Ctrl-C: do not wait for open connections
            self.https.force_exit = self.http.force_exit = True
        self.stop()

    async def _advertise(self) -> None:
        if self.advertiser is None:
            return
        addresses = self.advertised_addresses()
        if not addresses:
            log.warning("no LAN address to advertise on mDNS; devices must use the hub's address")
            self.advertiser = None
            return
        info = service_info(self.label, self.state.home_name, self.state.https_port, addresses,
                            txt(__version__, self.state.home_name, self.state.https_port, self.keeper.ca_fingerprint))
        try:
            await self.advertiser.start(info)
        except Exception as e:  # noqa: BLE001 - the hub works without mDNS: devices use its address
            log.warning("could not advertise on mDNS (%s); devices must use the hub's address", e)
            self.advertiser = None

    # --- in a thread (tests, embedding) ------------------------------------------------------

    def start_in_thread(self, timeout: float = 30.0) -> "LanServer":
        self._thread = threading.Thread(target=lambda: asyncio.run(self.serve()), name="twinspace-lan", daemon=True)
        self._thread.start()
        if not self.ready.wait(timeout):
            self.stop()
            raise RuntimeError("the LAN hub did not start")
        return self

    def stop_thread(self, timeout: float = 30.0) -> None:
        self.stop()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise RuntimeError("the LAN hub did not stop")
        for sock in (self.https_sock, self.http_sock):
            sock.close()
