"""Paired devices, for the home's owner: list them, revoke one (docs/security.md).

- `GET /api/v1/homes/{home}/devices-paired`: every device holding a valid or expired token.
- `DELETE /api/v1/homes/{home}/devices-paired/{id}`: revoke it; its open sync and voice
  sockets close at once (4401), and revocations made by the CLI reach them within a second.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

from fastapi import APIRouter, Depends, FastAPI

from twinspace import access
from twinspace.actions.registry import Caller
from twinspace.errors import Forbidden
from twinspace.hub import Hub


def owner_of(member: Callable[..., Caller]) -> Callable[..., Caller]:
    def owner(who: Caller = Depends(member)) -> Caller:
        if not who.is_owner:
            raise Forbidden("only the home's owner may see and revoke paired devices")
        return who
    return owner


def install_access(app: FastAPI, hub: Hub, member: Callable[..., Caller]) -> None:
    router = APIRouter(prefix="/api/v1/homes/{home_id}/devices-paired", tags=["access"])
    owner = owner_of(member)

    @router.get("", response_model=list[access.PairedDevice])
    def list_paired(home_id: str, _: Caller = Depends(owner)) -> list[access.PairedDevice]:
        """The devices paired with this home (owner only)."""
        return access.paired_devices(hub.store, home_id)

    @router.delete("/{pairing_id}", response_model=access.PairedDevice)
    def revoke(home_id: str, pairing_id: str, _: Caller = Depends(owner)) -> access.PairedDevice:
        """Revoke a paired device (owner only): its token stops working at once, everywhere."""
        return access.revoke_device(hub.store, home_id, pairing_id[:64])

    @asynccontextmanager
    async def watching(_app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(access.token_watch(hub.store).run(), name="token watch")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    app.include_router(router)
    app.state.lifespan_hooks.append(watching)
