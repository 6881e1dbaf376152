"""LAN mode: the hub on the home network over HTTPS (docs/lan.md, docs/security.md).

- `config.py`     the LAN settings (`TWINSPACE_LAN`, ports, extra names, a household's certificate)
- `names.py`      the names and addresses the hub answers to (certificate SANs, Host and Origin allow-lists)
- `ca.py`         the hub's local certificate authority and its server certificate
- `tls.py`        the live TLS context, re-issued and reloaded when the addresses change
- `guard.py`      Host, Origin/CORS and HSTS checks for a shared network
- `redirect.py`   the plain-HTTP port: a redirect to HTTPS, the setup page and the CA certificate
- `setup_page.py` `/setup`: the CA certificate, its fingerprint and steps for each device
- `discovery.py`  mDNS/DNS-SD (`_twinspace._tcp`): advertising and browsing
- `qr.py`         pairing links and their QR codes
- `routes.py`     the owner's "add a device" API and the setup routes on the main app
- `server.py`     both servers, the certificate keeper and the advertisement, started and stopped together
"""
