"""The hub's HTTP API. Every route but health and pairing needs a device token."""

from __future__ import annotations

from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, AsyncIterator, Callable, Literal, Optional

from fastapi import APIRouter, Body, Depends, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field, create_model

from twinspace import __version__, access
from twinspace.actions.registry import ActionSpec, Caller, Outcome, Pending
from twinspace.errors import NotFound
from twinspace.geometry import Viewer
from twinspace.home.model import Device, Home, Panel, Person, Room, Surface, XRDevice
from twinspace.hub import Hub
from twinspace.server import problems
from twinspace.server.auth import caller, member

API = "/api/v1"


# --- request and response shapes -----------------------------------------------------

class ViewerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    position: tuple[float, float, float] = Field(description="eye position in metres")
    yaw_deg: float = Field(0.0, description="facing: degrees about +Y, 0 looks toward -Z")

    def to_viewer(self) -> Viewer:
        return Viewer(self.position, self.yaw_deg)


class ActionResult(BaseModel):
    status: Literal["applied", "unchanged", "pending", "answered"]
    action: str
    args: dict[str, Any]
    message: str
    result: Optional[dict[str, Any]] = None


class PairIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=64, description="the code printed by `twinspace pair`, e.g. ABCD-EFGH")
    name: str = Field(max_length=access.MAX_LABEL, description="a name for this device, e.g. \"Minji's Quest\"")
    device: Optional[str] = Field(None, max_length=access.MAX_DEVICE_ID,
                                  description="the XR device id in the home, if it has one (your own)")


class PairOut(BaseModel):
    token: str
    home: str
    person: Optional[str]
    role: str


class Me(BaseModel):
    home: str
    person: Optional[str]
    device: Optional[str]
    role: str


class SurfaceOut(Surface):
    room: str


class DeviceOut(Device):
    room: str


def _result(outcome: Outcome | Pending, spec: ActionSpec) -> ActionResult:
    if isinstance(outcome, Pending):
        return ActionResult(status="pending", action=outcome.action, args=outcome.args, message=outcome.reason)
    status = "answered" if spec.read_only else ("applied" if outcome.changed else "unchanged")
    return ActionResult(status=status, action=outcome.action, args=outcome.args, message=outcome.message,
                        result=outcome.result)


# --- the app -------------------------------------------------------------------------

LifespanHook = Callable[[FastAPI], Any]  # returns an async context manager run for the app's lifetime


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run every extension's lifespan hook (live sync, media) in order, and unwind them on exit."""
    async with AsyncExitStack() as stack:
        for hook in app.state.lifespan_hooks:
            await stack.enter_async_context(hook(app))
        yield


def create_app(hub: Hub) -> FastAPI:
    from fastapi_offline import FastAPIOffline  # /docs with Swagger UI served by the hub, not a CDN

    app = FastAPIOffline(
        lifespan=_lifespan,
        title="twinspace hub",
        version=__version__,
        description="The live digital twin of a home, its content and its assistant. "
                    "Authenticate with `Authorization: Bearer <token>`; get a token by pairing.",
    )
    app.state.hub = hub
    app.state.lifespan_hooks: list[LifespanHook] = []
    problems.install(app)
    from twinspace.server.body_guard import install_body_guard; install_body_guard(app)  # noqa: E702  (tokens and sizes before bodies)

    api = APIRouter(prefix=API)

    @api.get("/health", tags=["hub"])
    async def health() -> dict[str, str]:  # on the event loop: no worker thread to wait for
        return {"status": "ok", "version": __version__}

    @api.post("/pair", tags=["access"], response_model=PairOut)
    def pair(body: PairIn, request: Request) -> PairOut:
        source = request.client.host if request.client else None  # wrong codes count per source
        issued = access.redeem_pairing_code(hub.store, body.code, body.name, body.device, source=source)
        c = issued.caller
        return PairOut(token=issued.token, home=c.home_id, person=c.person, role=c.role)

    @api.get("/me", tags=["access"], response_model=Me)
    def me(who: Caller = Depends(caller)) -> Me:
        return Me(home=who.home_id, person=who.person, device=who.device, role=who.role)

    @api.get("/actions", tags=["actions"])
    def list_actions(_: Caller = Depends(caller)) -> list[dict[str, Any]]:
        return [{"name": s.name, "summary": s.summary, "read_only": s.read_only, "arguments": s.schema()}
                for s in hub.registry]

    home_api = APIRouter(prefix=API + "/homes/{home_id}", tags=["home"])

    @home_api.get("", response_model=Home, response_model_exclude_none=True)
    def get_home(home_id: str, _: Caller = Depends(member)) -> Home:
        return hub.home(home_id)

    @home_api.get("/rooms", response_model=list[Room], response_model_exclude_none=True)
    def rooms(home_id: str, _: Caller = Depends(member)) -> list[Room]:
        return hub.home(home_id).rooms

    @home_api.get("/rooms/{room_id}", response_model=Room, response_model_exclude_none=True)
    def room(home_id: str, room_id: str, _: Caller = Depends(member)) -> Room:
        found = hub.home(home_id).room(room_id)
        if found is None:
            raise NotFound(f"there is no room {room_id!r} in this home")
        return found

    @home_api.get("/surfaces", response_model=list[SurfaceOut], response_model_exclude_none=True)
    def surfaces(home_id: str, _: Caller = Depends(member)) -> list[SurfaceOut]:
        return [SurfaceOut(room=r.id, **s.model_dump()) for r in hub.home(home_id).rooms for s in r.surfaces]

    @home_api.get("/devices", response_model=list[DeviceOut], response_model_exclude_none=True)
    def devices(home_id: str, _: Caller = Depends(member)) -> list[DeviceOut]:
        return [DeviceOut(room=r.id, **d.model_dump()) for r, d in hub.home(home_id).devices()]

    @home_api.get("/xr-devices", response_model=list[XRDevice], response_model_exclude_none=True)
    def xr_devices(home_id: str, _: Caller = Depends(member)) -> list[XRDevice]:
        return hub.home(home_id).xr_devices

    @home_api.get("/panels", response_model=list[Panel], response_model_exclude_none=True)
    def panels(home_id: str, _: Caller = Depends(member)) -> list[Panel]:
        return hub.home(home_id).panels

    @home_api.get("/panels/{panel_id}", response_model=Panel, response_model_exclude_none=True)
    def panel(home_id: str, panel_id: str, _: Caller = Depends(member)) -> Panel:
        found = hub.home(home_id).panel(panel_id)
        if found is None:
            raise NotFound(f"there is no panel {panel_id!r} in this home")
        return found

    @home_api.get("/people", response_model=list[Person], response_model_exclude_none=True)
    def people(home_id: str, _: Caller = Depends(member)) -> list[Person]:
        return hub.home(home_id).people

    @home_api.get("/journal")
    def journal(home_id: str, limit: int = 50, _: Caller = Depends(member)) -> list[dict[str, Any]]:
        return [e.__dict__ for e in hub.store.journal(home_id, max(1, min(limit, 200)))]

    @home_api.post("/undo", response_model=ActionResult, tags=["actions"])
    def undo(home_id: str, who: Caller = Depends(member)) -> ActionResult:
        o = hub.undo(home_id, who)
        return ActionResult(status="applied", action=o.action, args=o.args, message=o.message)

    for spec in hub.registry:
        _add_action_route(home_api, hub, spec)

    app.include_router(api)
    app.include_router(home_api)
    # Extensions: each adds its routes and, if it needs one, a lifespan hook.
    from twinspace.lan.routes import install_lan; install_lan(app, hub)  # noqa: E702  (add a device, /setup: docs/lan.md)
    from twinspace.sync import install_sync; install_sync(app, hub)  # noqa: E702  (live Yjs documents, docs/sync.md)
    from twinspace.media import install_media; install_media(app, hub)  # noqa: E702  (HLS demo channels and VOD)
    from twinspace.server.content_routes import install_content; install_content(app, hub, member)  # noqa: E702  (guide, search)
    from twinspace.server.assistant_routes import install_assistant; install_assistant(app, hub)  # noqa: E702
    from twinspace.server.voice_routes import install_voice; install_voice(app, hub)  # noqa: E702  (docs/voice.md)
    from twinspace.server.cowatch_routes import install_cowatch; install_cowatch(app, hub)  # noqa: E702  (docs/cowatch.md)
    from twinspace.server.space_routes import install_spaces; install_spaces(app, hub)  # noqa: E702  (docs/spaces.md)
    from twinspace.web import install_web; install_web(app, hub)  # noqa: E702  (the XR client at /)
    from twinspace.server.access_routes import install_access; install_access(app, hub, member)  # noqa: E702  (paired devices)
    from twinspace.server.log_redaction import install_redaction; install_redaction()  # noqa: E702  (no tokens in logs)
    from twinspace.bridges.manager import install_bridges; install_bridges(app, hub)  # noqa: E702  (real devices, docs/bridges.md)
    from twinspace.server.forwarding import install_cluster; install_cluster(app, hub)  # noqa: E702  (replicas, docs/deploy.md)

    return app


def _add_action_route(router: APIRouter, hub: Hub, spec: ActionSpec) -> None:
    """One typed POST endpoint per action, its body generated from the action's argument model."""
    call_model = create_model(
        "Call_" + spec.name.replace(".", "_"),
        __config__=ConfigDict(extra="forbid"),
        args=(spec.args, Field(description="the action's arguments")),
        viewer=(Optional[ViewerIn], Field(None, description="the caller's eyes, for 'left of me' and such")),
        room=(Optional[str], Field(None, description="the caller's room, if not implied by the viewer")),
        focus=(Optional[str], Field(None, description="the panel the caller is looking at")),
        confirm=(bool, Field(False, description="confirm an action that asked for confirmation")),
    )

    def run(home_id: str, body: call_model = Body(...), who: Caller = Depends(member)) -> ActionResult:  # type: ignore[valid-type]
        outcome = hub.apply(
            home_id, spec.name, body.args.model_dump(exclude_unset=True), caller=who,
            viewer=body.viewer.to_viewer() if body.viewer else None, room=body.room, focus=body.focus,
            confirmed=body.confirm)
        return _result(outcome, spec)

    # Annotations are strings under `from __future__ import annotations`; FastAPI needs the
    # generated body model itself, which lives only in this scope.
    run.__annotations__ = {"home_id": str, "body": call_model, "who": Caller, "return": ActionResult}
    router.add_api_route(f"/actions/{spec.name}", run, methods=["POST"], response_model=ActionResult,
                         summary=spec.summary, name=spec.name, tags=["actions"],
                         operation_id=spec.name.replace(".", "_"))

