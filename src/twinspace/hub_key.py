"""The hub's own secret key, and files only the hub's user may read.

One random 32-byte key per data directory (`hub.key`, mode 0600) keys the HMACs the hub
makes: stored pairing codes (so a copied database does not give them away to an offline
guess) and signed media URLs. It never leaves the hub.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

KEY_FILE = "hub.key"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700

_cache: dict[Path, bytes] = {}
_guard = threading.Lock()


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) for the hub's data; a directory it creates is 0700.

    An existing directory keeps its mode: it may be one the person chose and shares."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if absent, readable and writable by the hub's user only (0600)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE)
    os.close(fd)
    os.chmod(path, PRIVATE_FILE)  # also tightens a file an older version left 0644
    return path


def hub_key(data_dir: Path) -> bytes:
    """The data directory's key, created on first use (atomically: two processes agree on one)."""
    data_dir = Path(data_dir).resolve()
    with _guard:
        key = _cache.get(data_dir)
        if key is not None:
            return key
        path = private_dir(data_dir) / KEY_FILE
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
        except FileExistsError:
            os.chmod(path, PRIVATE_FILE)
            key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        else:
            key = secrets.token_bytes(32)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(key.hex() + "\n")
                f.flush()
                os.fsync(f.fileno())
        if len(key) < 32:
            raise RuntimeError(f"{path} is damaged (a key of {len(key)} bytes); delete it to make a new one")
        _cache[data_dir] = key
        return key


_memory_key = secrets.token_bytes(32)  # an in-memory database has no data directory to keep a key in


def database_key(database: "str | Path") -> bytes:
    """The key of the data directory holding `database` (a per-process key for ':memory:')."""
    return _memory_key if str(database) == ":memory:" else hub_key(Path(database).parent)


def keyed_hash(key: bytes, *parts: str) -> str:
    """HMAC-SHA256 of the parts (joined unambiguously), hex."""
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
