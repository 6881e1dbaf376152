"""Helpers shared by the media tests (a module of its own: test directories share `conftest`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "tests" / "media" / "web"


def ensure_installed(path_or_name: str) -> str:
    """The tool's path; installs it with scripts/system-deps if missing, skips if that cannot."""
    found = shutil.which(path_or_name)
    if found is None:
        subprocess.run([str(REPO / "scripts" / "system-deps")], check=False, capture_output=True, timeout=900)
        found = shutil.which(path_or_name)
    if found is None:
        pytest.skip(f"{path_or_name} is absent and scripts/system-deps could not install it (not root?)")
    return found


def hls_js() -> Path:
    """hls.js for pages the tests serve (installed by `make install-test`, or here with npm)."""
    path = WEB / "node_modules" / "hls.js" / "dist" / "hls.min.js"
    if not path.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--prefix", str(WEB), "--silent", "--no-audit", "--no-fund"], check=True,
                       timeout=300)
    assert path.is_file(), "hls.js is missing: run `make install-test` (npm ci --prefix tests/media/web)"
    return path
