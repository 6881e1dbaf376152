"""LAN mode in a real browser over real TLS. The hub listens on 127.0.0.2 and Chromium maps
`hub.twinspace.test` to it, so the page's origin is not localhost: only a certificate the
browser trusts makes it a secure context. The hub's CA is trusted in a fresh NSS database
(`certutil`) under a temporary HOME, as a person would trust it once on a device.

Covered: a secure context, pairing through the QR link (and the owner's "Add a device"),
an immersive session through Meta's WebXR emulator, push-to-talk with Chromium's fake
microphone, the setup page (screenshots for the docs), and a browser that does not trust
the CA: TLS fails and nothing falls back to plain HTTP."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import support
from lan_helpers import HOME, HOST_IP, HUB_NAME, LanHub

from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.lan import qr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "client"))  # the client tests' browser helpers
from client_helpers import (  # noqa: E402
    CHROMIUM_ARGS,
    DIST,
    IWER,
    emulator,
    pairing_script,
    wait_for,
    wait_ready_and_connected,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
# Screenshots go to artifacts/; TWINSPACE_DOC_IMAGES=1 refreshes the ones docs/lan.md shows.
IMAGES = REPO / ("docs/images" if os.environ.get("TWINSPACE_DOC_IMAGES") == "1" else "artifacts/lan")
COMMAND = "turn off the floor lamp"


def _profile_home(root: Path, certutil: str, ca: Path | None) -> Path:
    """A HOME whose NSS database (what Chromium on Linux trusts) holds the hub's CA, or nothing."""
    db = root / ".pki" / "nssdb"
    db.mkdir(parents=True)
    subprocess.run([certutil, "-d", f"sql:{db}", "-N", "--empty-password"], check=True, timeout=30)
    if ca is not None:
        subprocess.run([certutil, "-d", f"sql:{db}", "-A", "-t", "C,,", "-n", "twinspace", "-i", str(ca)],
                       check=True, timeout=30)
    return root


@pytest.fixture(scope="module")
def fake_mic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The command as Chromium's fake microphone plays it (48 kHz mono, silence around it)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is missing (scripts/system-deps installs it)")
    from twinspace.voice.speech_out import shared_synthesizer

    root = tmp_path_factory.mktemp("mic")
    raw, out = root / "raw.wav", root / "command.wav"
    raw.write_bytes(shared_synthesizer().wav(COMMAND, vary=False))
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(raw), "-af",
                    "adelay=1000:all=1,apad=pad_dur=1.5", "-ar", "48000", "-ac", "1", "-c:a", "pcm_s16le", str(out)],
                   check=True, timeout=60)
    with wave.open(str(out), "rb") as w:
        return out, w.getnframes() / w.getframerate()


@pytest.fixture(scope="module")
def client_built() -> None:
    if not (DIST / "index.html").is_file():
        pytest.fail("the XR client is not built: run `make client`")


def _browser(home: Path, extra: tuple[str, ...] = ()) -> Any:
    """Chromium that reaches the hub by its name, with `home`'s NSS database (a context manager)."""
    return support.chromium([*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HUB_NAME} {HOST_IP}", *extra], home=home)


@pytest.fixture(scope="module")
def trusting_browser(client_built: None, lan_hub: LanHub, ca_file: Path, certutil: str, fake_mic: tuple[Path, float],
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    home = _profile_home(tmp_path_factory.mktemp("home-trusting"), certutil, ca_file)
    wav, _ = fake_mic
    with _browser(home, ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                         f"--use-file-for-fake-audio-capture={wav}%noloop")) as b:
        yield b


def _owner_link(lan_hub: LanHub, trusting_ctx: Any) -> dict[str, Any]:
    token = access.issue_token(lan_hub.hub.store, HOME, "alex", "lan browser test", role="owner").token
    r = httpx.post(f"{lan_hub.https_ip_url}/api/v1/homes/{HOME}/pairing-codes", json={}, verify=trusting_ctx,
                   headers={"Authorization": f"Bearer {token}", "Host": f"{HUB_NAME}:{lan_hub.https_port}"},
                   timeout=20)
    assert r.status_code == 201, r.text
    return r.json()


def _paired_page(browser: Any, lan_hub: LanHub, init_scripts: tuple[str, ...] = ()) -> Any:
    issued = access.issue_token(lan_hub.hub.store, HOME, "alex", "lan browser page", role="owner")
    context = browser.new_context(viewport={"width": 1024, "height": 640})
    for script in init_scripts:
        context.add_init_script(script)
    context.add_init_script(pairing_script({"token": issued.token, "home": HOME, "person": "alex", "role": "owner",
                                            "name": "LAN test"}))
    page = context.new_page()
    page.goto(lan_hub.https_url + "/")
    wait_ready_and_connected(page)
    return page


def test_pairing_link_gives_a_secure_paired_client(trusting_browser: Any, lan_hub: LanHub, trusting: Any) -> None:
    link = _owner_link(lan_hub, trusting)
    assert link["url"].startswith(f"https://{HUB_NAME}:{lan_hub.https_port}/#pair=")
    assert link["qr_svg"] == qr.svg(link["url"])  # the QR code is of exactly this link
    context = trusting_browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(link["url"])  # what scanning the QR code opens
    wait_ready_and_connected(page)
    assert page.evaluate("window.isSecureContext") is True
    assert page.evaluate("location.protocol + '//' + location.host") == f"https://{HUB_NAME}:{lan_hub.https_port}"
    assert page.evaluate("location.hash") == ""  # the code is gone from the address bar
    # The APIs a headset needs, which browsers switch off on insecure origins:
    assert page.evaluate("typeof AudioWorkletNode === 'function' && !!navigator.mediaDevices"
                         " && typeof navigator.mediaDevices.getUserMedia === 'function'") is True
    saved = page.evaluate("JSON.parse(localStorage.getItem('twinspace.device'))")
    assert saved["home"] == HOME and saved["token"]
    me = httpx.get(f"{lan_hub.https_ip_url}/api/v1/me", headers={"Authorization": f"Bearer {saved['token']}"},
                   verify=trusting, timeout=20)
    assert me.status_code == 200 and me.json()["person"] == "alex"
    # one-time: the same link on another device does not pair it
    again = trusting_browser.new_context().new_page()
    again.goto(link["url"])
    again.wait_for_selector("#pair-form", timeout=20_000)
    assert "did not work" in again.text_content(".pair-card")
    assert errors == []
    context.close()
    again.context.close()


def test_owner_adds_a_device_from_the_menu(trusting_browser: Any, lan_hub: LanHub) -> None:
    page = _paired_page(trusting_browser, lan_hub)
    page.click(".menu > summary")
    page.click("#add-device")
    page.wait_for_selector("#pair-qr svg", timeout=20_000)
    url = page.get_attribute("#pair-url", "href")
    assert url.startswith(f"https://{HUB_NAME}:{lan_hub.https_port}/#pair=")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.locator("#add-device-dialog").screenshot(path=str(IMAGES / "lan-add-device.png"))
    phone = trusting_browser.new_context(viewport={"width": 390, "height": 760}).new_page()
    phone.goto(url)
    wait_ready_and_connected(phone)
    assert phone.evaluate("JSON.parse(localStorage.getItem('twinspace.device')).role") == "owner"
    phone.context.close()
    page.context.close()


def test_setup_page(trusting_browser: Any, lan_hub: LanHub) -> None:
    ca = lan_hub.server.keeper.ca
    page = trusting_browser.new_context(viewport={"width": 760, "height": 1100}).new_page()
    page.goto(f"http://{HUB_NAME}:{lan_hub.http_port}/setup")  # the plain port: works before any trust
    assert page.text_content("#ca-fingerprint").strip() == ca.fingerprint
    assert "plain-HTTP" in page.text_content("#secure-status")
    page.click("#device-ios summary")
    page.screenshot(path=str(IMAGES / "lan-setup.png"), full_page=False)
    with page.expect_download() as download:
        page.click("#download-crt")
    assert Path(download.value.path()).read_bytes() == ca.pem()
    assert page.get_attribute("#open-hub", "href") == f"https://{HUB_NAME}:{lan_hub.https_port}/"
    page.goto(f"https://{HUB_NAME}:{lan_hub.https_port}/setup")
    assert "already trusts" in page.text_content("#secure-status")
    for device in ("quest", "android", "ios", "visionos", "chrome", "firefox", "safari", "webos"):
        assert page.locator(f"#device-{device}").count() == 1, device
    page.context.close()


def test_immersive_session_over_https(trusting_browser: Any, lan_hub: LanHub) -> None:
    if not IWER.is_file():
        pytest.fail(f"{IWER} is missing: run `make client` (iwer is a dev dependency of the client)")
    page = _paired_page(trusting_browser, lan_hub,
                        (IWER.read_text(encoding="utf-8"), emulator(["inline", "immersive-vr"])))
    page.wait_for_function("window.__twinspace.xr.supported.vr === true", timeout=20_000)
    page.wait_for_function("!document.getElementById('xr-button').disabled")
    page.click("#xr-button")
    page.wait_for_function("window.__twinspace.xr.presenting === true", timeout=20_000)
    assert page.evaluate("window.__twinspace.xr.mode") == "immersive-vr"
    page.wait_for_timeout(500)
    page.evaluate("document.getElementById('xr-button').click()")
    page.wait_for_function("window.__twinspace.xr.presenting === false", timeout=10_000)
    page.context.close()


def test_push_to_talk_over_https(trusting_browser: Any, lan_hub: LanHub, fake_mic: tuple[Path, float]) -> None:
    _, seconds = fake_mic
    hub = lan_hub.hub
    hub.apply(HOME, "device.power", {"device": "lamp-floor", "on": True}, caller=Caller(HOME, "alex", None, "owner"))
    assert hub.home(HOME).device_state("lamp-floor").on
    page = _paired_page(trusting_browser, lan_hub)
    page.wait_for_selector("#talk:not([disabled])", timeout=20_000)
    page.hover("#talk")
    page.mouse.down()
    page.wait_for_selector('#talk[aria-pressed="true"][data-state="listening"]', timeout=20_000)
    page.wait_for_timeout((seconds + 0.3) * 1000)
    page.mouse.up()
    page.wait_for_selector(".turn-spoken .event-applied", timeout=240_000)
    wait_for(lambda: not hub.home(HOME).device_state("lamp-floor").on, timeout=10, what="the floor lamp off")
    page.context.close()


def test_untrusted_ca_fails_tls_and_nothing_falls_back(client_built: None, lan_hub: LanHub, certutil: str,
                                                       tmp_path: Path) -> None:
    with _browser(_profile_home(tmp_path / "home", certutil, None)) as browser:
        page = browser.new_page()
        seen: list[str] = []
        page.on("response", lambda r: seen.append(f"{r.status} {r.url}"))
        with pytest.raises(Exception, match="ERR_CERT_AUTHORITY_INVALID"):
            page.goto(f"https://{HUB_NAME}:{lan_hub.https_port}/")
        # The plain port does not serve the client instead: it only sends the browser to HTTPS.
        with pytest.raises(Exception, match="ERR_CERT_AUTHORITY_INVALID"):
            page.goto(f"http://{HUB_NAME}:{lan_hub.http_port}/")
        assert seen == [f"308 http://{HUB_NAME}:{lan_hub.http_port}/"], seen
