"""`/setup`: trust the hub's certificate authority once on each device.

Served on both ports. It carries only public things: the CA certificate (PEM `.crt`, DER
`.cer`), its SHA-256 fingerprint and per-device steps; never a pairing code. The steps
were checked against each platform's documentation; where a platform cannot trust a CA
a person installs (Quest Browser, webOS), the page says so and what works instead.
"""

from __future__ import annotations

import html
from typing import Callable, Optional

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from twinspace.lan.names import split_host
from twinspace.lan.state import LanState

CRT = "/setup/twinspace-ca.crt"
CER = "/setup/twinspace-ca.cer"

# (id, device, steps as HTML): short, in the platform's own words for its menus.
DEVICES: list[tuple[str, str, str]] = [
    ("quest", "Meta Quest (Quest Browser)", f"""
<p class="warn">Quest Browser has no setting to trust a certificate authority you install yourself
(only headsets managed by an organisation through Meta's business device management receive
certificates, from their admin). What works instead:</p>
<ul><li><b>A certificate for a real domain</b> from a public CA (e.g. Let's Encrypt with a DNS challenge)
whose name points at the hub: set <code>TWINSPACE_TLS_CERT</code> and <code>TWINSPACE_TLS_KEY</code>
(see docs/lan.md). No step on the headset.</li>
<li><b>Developers, over USB:</b> with developer mode on, run the hub in loopback mode
(<code>twinspace up</code>), then <code>adb reverse tcp:8080 tcp:8080</code> and open
<code>http://localhost:8080</code> in the headset. <code>localhost</code> is a secure context, so WebXR
and the microphone work.</li></ul>"""),
    ("android", "Android (Chrome)", f"""
<ol><li>Download <a href="{CRT}">twinspace-ca.crt</a>.</li>
<li>Open <b>Settings → Security &amp; privacy → More security settings → Encryption &amp; credentials →
Install a certificate → CA certificate</b> (menus differ by maker: search Settings for
“CA certificate”), accept the warning and pick the downloaded file.</li>
<li>Check it under <b>Trusted credentials → User</b>. Chrome trusts CAs installed this way
(most other apps do not, which does not matter here).</li></ol>"""),
    ("ios", "iPhone and iPad (Safari)", f"""
<ol><li>In Safari, tap <a href="{CRT}">twinspace-ca.crt</a> and <b>Allow</b> the profile download.</li>
<li><b>Settings → Profile Downloaded</b> (or <b>General → VPN &amp; Device Management</b>) →
<b>Install</b>.</li>
<li><b>Settings → General → About → Certificate Trust Settings</b>: turn on full trust for
“twinspace local CA”. Apple does not trust a manually installed certificate for websites
until this switch is on.</li></ol>"""),
    ("visionos", "Apple Vision Pro (Safari)", f"""
<p>The same two steps as on iPhone: download <a href="{CRT}">twinspace-ca.crt</a>, install it in
<b>Settings → General → VPN &amp; Device Management</b>, then turn on full trust in
<b>Settings → General → About → Certificate Trust Settings</b>. Apple documents this for iOS and
iPadOS; check the menus on your visionOS version.</p>"""),
    ("chrome", "Desktop Chrome and Edge", f"""
<ul><li><b>Windows:</b> open <a href="{CER}">twinspace-ca.cer</a> → <b>Install Certificate</b> →
Current User → <b>Place all certificates in: Trusted Root Certification Authorities</b>.</li>
<li><b>macOS:</b> Chrome uses the system keychain: follow the Safari steps.</li>
<li><b>Linux:</b> <b>Settings → Privacy and security → Security → Manage certificates →
Local certificates → Custom → Installed by you → Trusted certificates → Import</b> and pick
<a href="{CRT}">twinspace-ca.crt</a>.</li></ul>"""),
    ("firefox", "Desktop Firefox", f"""
<p><b>Settings → Privacy &amp; Security → Certificates → View Certificates → Authorities →
Import</b>, pick <a href="{CRT}">twinspace-ca.crt</a> and tick <b>Trust this CA to identify
websites</b>. Firefox keeps its own list, even where the system already trusts the CA.</p>"""),
    ("safari", "Safari on a Mac", f"""
<ol><li>Open the downloaded <a href="{CRT}">twinspace-ca.crt</a>: Keychain Access adds it.</li>
<li>Double-click “twinspace local CA” → <b>Trust</b> → <b>When using this certificate: Always
Trust</b>; close the window and confirm with your password.</li></ol>"""),
    ("webos", "LG webOS TV browser", """
<p class="warn">A webOS TV cannot add a certificate authority: it trusts only the root
certificates LG ships (LG's webOS TV developer documentation; Let's Encrypt from webOS TV 5.0).
What works: a certificate for a real domain from a public CA, set with
<code>TWINSPACE_TLS_CERT</code> / <code>TWINSPACE_TLS_KEY</code> (docs/lan.md).</p>"""),
]

STYLE = """
:root{color-scheme:dark}
body{margin:0;background:#0e1014;color:#e8ecf3;font:16px/1.55 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:46rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.5rem;margin:.2rem 0 .4rem} h2{font-size:1.05rem;margin:0}
p,li{color:#c3cbd8} a{color:#7cb4ff} b{color:#e8ecf3}
.brand{display:flex;gap:.5rem;align-items:center;font-weight:700;letter-spacing:.02em;color:#aab4c4}
.brand i{width:14px;height:14px;border-radius:4px;background:linear-gradient(135deg,#7cb4ff,#b58cff)}
.card{border:1px solid #2c323e;border-radius:14px;background:#14171d;padding:1rem 1.1rem;margin:1rem 0}
.steps{counter-reset:s;list-style:none;padding:0;margin:0}
.steps>li{counter-increment:s;position:relative;padding-left:2.2rem;margin:.55rem 0}
.steps>li::before{content:counter(s);position:absolute;left:0;top:.05rem;width:1.55rem;height:1.55rem;
border-radius:50%;background:#2b3b57;color:#cfe1ff;font-weight:700;font-size:.85rem;display:grid;place-items:center}
.buttons{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0 .4rem}
.btn{display:inline-block;padding:.55rem .95rem;border-radius:10px;background:#2f6fea;color:#fff;
text-decoration:none;font-weight:600} .btn.alt{background:#222733;color:#e8ecf3;border:1px solid #2c323e}
code,.fp{background:#222733;border:1px solid #2c323e;border-radius:6px;padding:.05rem .35rem;color:#e8ecf3}
.fp{display:block;padding:.5rem .6rem;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
details{border-top:1px solid #2c323e;padding:.55rem 0} details:first-of-type{border-top:0}
summary{cursor:pointer;font-weight:600;color:#e8ecf3}
.warn{border-left:3px solid #e0a84a;padding-left:.7rem}
.ok{color:#7fd69b} .muted{color:#8f9aab;font-size:.92rem}
"""


def render(state: LanState, request_host: Optional[str], secure: bool) -> str:
    names = state.names()
    host = split_host(request_host) if request_host and names.allows_host(request_host) else names.public_host()
    hub_url = state.origin(host)
    ca = state.ca
    e = html.escape
    addresses = "".join(f"<li><a href=\"{e(u)}/\">{e(u)}</a></li>" for u in names.urls(state.https_port))
    if ca is None:
        trust = (f"<p>This hub uses the household's own certificate ({e(state.keeper.cert_path.name)}), from a "
                 f"certificate authority devices already trust: there is nothing to install.</p>")
    else:
        trust = f"""<div class="buttons">
<a class="btn" id="download-crt" href="{CRT}" download="twinspace-ca.crt">Download the certificate (.crt)</a>
<a class="btn alt" id="download-cer" href="{CER}" download="twinspace-ca.cer">DER format (.cer, for Windows)</a></div>
<p class="muted">Compare this SHA-256 fingerprint with the one <code>twinspace up --lan</code> printed on the
hub before you trust it:</p><code class="fp" id="ca-fingerprint">{e(ca.fingerprint)}</code>"""
    devices = "".join(f'<details id="device-{key}"><summary>{e(title)}</summary>{steps}</details>'
                      for key, title, steps in DEVICES)
    status = ('<p class="ok" id="secure-status">This page came over HTTPS: this device already trusts the hub.</p>'
              if secure else
              '<p class="muted" id="secure-status">You are on the plain-HTTP setup port. After step 2, '
              'open the hub over HTTPS.</p>')
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Set up a device · twinspace</title>
<style>{STYLE}</style></head><body><main>
<div class="brand"><i></i>twinspace</div>
<h1>Set up a device for {e(state.home_name)}</h1>{status}
<section class="card"><ol class="steps">
<li><b>You are here.</b> The hub answers at:<ul>{addresses}</ul></li>
<li><b>Trust the hub's certificate authority</b>, once per device (steps below).{trust}</li>
<li><b>Pair:</b> on a paired device open the menu → <b>Add a device</b> and scan its QR code, or run
<code>twinspace pair --qr</code> on the hub. Then <a class="btn" id="open-hub" href="{e(hub_url)}/">open
{e(hub_url)}</a></li></ol></section>
<section class="card" id="devices"><h2>Steps for your device</h2>{devices}</section>
<p class="muted">The certificate authority's key never leaves the hub. Trusting it lets this device check that
it talks to your hub; the hub's certificate authority is limited to home-network names
(<code>.local</code>, <code>.lan</code>, <code>.home.arpa</code>) and private addresses.</p>
</main></body></html>"""


def setup_routes(state: Callable[[], Optional[LanState]]) -> list[Route]:
    """The page and the CA certificate in two encodings; 404 while LAN mode is off."""

    def current() -> LanState:
        found = state()
        if found is None:
            from starlette.exceptions import HTTPException

            raise HTTPException(404, "LAN mode is off: start the hub with `twinspace up --lan`")
        return found

    async def page(request: Request) -> Response:
        s = current()
        return HTMLResponse(render(s, request.headers.get("host"), request.url.scheme == "https"),
                            headers={"Cache-Control": "no-cache", "X-Frame-Options": "DENY",
                                     "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                                                "img-src 'self'; frame-ancestors 'none'"})

    def certificate(der: bool) -> Callable[[Request], object]:
        async def send(_: Request) -> Response:
            ca = current().ca
            if ca is None:
                from starlette.exceptions import HTTPException

                raise HTTPException(404, "this hub uses the household's own certificate: there is no CA to install")
            body, kind = (ca.der(), "application/pkix-cert") if der else (ca.pem(), "application/x-x509-ca-cert")
            name = "twinspace-ca.cer" if der else "twinspace-ca.crt"
            return Response(body, media_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                            "Cache-Control": "no-cache"})
        return send

    return [Route("/setup", page, methods=["GET", "HEAD"]),
            Route(CRT, certificate(False), methods=["GET", "HEAD"]),
            Route(CER, certificate(True), methods=["GET", "HEAD"])]
