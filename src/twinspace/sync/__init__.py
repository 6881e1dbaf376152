"""Live sync: each home as a Yjs document on every device, with presence (docs/sync.md)."""

from twinspace.sync.server import SyncService, install_sync

__all__ = ["SyncService", "install_sync"]
