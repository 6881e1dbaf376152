"""Panel actions: open, move, resize and close virtual panels in the twin."""

from __future__ import annotations

import re
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from twinspace.actions.content_gate import admit
from twinspace.actions.registry import ActionContext, Outcome, registry
from twinspace.errors import NotFound, PlacementImpossible
from twinspace.content import playback as rules
from twinspace.home.model import Home, Panel, SizePreset
from twinspace.home.placement import Placement, PlacementRequest, place


class PanelOpenArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content: str = Field(description="content reference: channel:<id>, programme:<id>, vod:<id> or app:<id>")
    placement: Optional[PlacementRequest] = None


class PanelMoveArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    panel: str
    placement: PlacementRequest


class PanelResizeArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    panel: str
    size: SizePreset


class PanelCloseArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    panel: str


SIZE_ORDER = ("small", "medium", "large", "cinema")


def find_panel(home: Home, panel_id: str) -> Panel:
    panel = home.panel(panel_id)
    if panel is None:
        open_ = ", ".join(f"{p.id} ({p.content})" for p in home.panels) or "none are open"
        raise NotFound(f"there is no panel {panel_id!r}; panels: {open_}")
    return panel


def next_panel_id(home: Home) -> str:
    used = [int(m.group(1)) for p in home.panels if (m := re.fullmatch(r"p(\d+)", p.id))]
    return f"p{max(used, default=0) + 1}"


def _place(ctx: ActionContext, request: PlacementRequest, ignore: Optional[str] = None) -> Placement:
    return place(ctx.home, request, ctx.viewer, ctx.room, ignore_panel=ignore)


def _resolved_placement(p: Placement) -> dict:
    """The placement as applied, in the spec's terms (what the evaluation compares)."""
    out: dict = {"size": p.size_preset}
    if p.surface is None:
        out["floating"] = True
    else:
        out["surface"] = p.surface
    return out


def _where(p: Placement, home: Home) -> str:
    if p.surface is None:
        return "floating in front of you"
    found = home.surface(p.surface)
    return f"on {p.surface}" if found is None else f"on {found[1].id}"


@registry.action("panel.open", PanelOpenArgs)
def panel_open(ctx: ActionContext, args: PanelOpenArgs) -> Outcome:
    """Open a virtual panel playing or showing content."""
    title = admit(ctx, args.content)
    spot = _place(ctx, args.placement or PlacementRequest())
    panel = Panel(id=next_panel_id(ctx.home), content=args.content, room=spot.room, pose=spot.pose,
                  size=spot.size, size_preset=spot.size_preset, surface=spot.surface,
                  owner=ctx.caller.person, created_at=ctx.now)
    ctx.home.panels.append(panel)
    if not args.content.startswith("app:"):
        start_at = 0.0
        if ctx.services is not None:  # pick up an on-demand title where this person left it
            point = ctx.services.resume_point(ctx.home.id, ctx.caller.person, args.content)
            start_at = rules.resume_from(point, ctx.services.duration_of(ctx.home.id, args.content))
        ctx.home.playback[panel.id] = rules.start(args.content, ctx.now, person=ctx.caller.person,
                                                  position_s=start_at)
    resolved = {"content": args.content, "placement": _resolved_placement(spot)}
    return Outcome("panel.open", resolved, f"Opened {title} {_where(spot, ctx.home)}",
                   result={"panel": panel.model_dump(mode="json")})


@registry.action("panel.move", PanelMoveArgs)
def panel_move(ctx: ActionContext, args: PanelMoveArgs) -> Outcome:
    """Move a panel to another place."""
    panel = find_panel(ctx.home, args.panel)
    request = args.placement
    if request.size is not None:
        spot = _place(ctx, request, ignore=panel.id)
    else:  # keep its size where it fits, else the largest that does (a desk is smaller than a wall)
        sizes = list(SIZE_ORDER[:SIZE_ORDER.index(panel.size_preset) + 1])[::-1]
        for i, size in enumerate(sizes):
            try:
                spot = _place(ctx, request.model_copy(update={"size": size}), ignore=panel.id)
                break
            except PlacementImpossible:
                if i == len(sizes) - 1:
                    raise
    panel.pose, panel.size, panel.surface, panel.room = spot.pose, spot.size, spot.surface, spot.room
    panel.size_preset = spot.size_preset
    resolved = {"panel": panel.id, "placement": _resolved_placement(spot)}
    return Outcome("panel.move", resolved, f"Moved the panel {_where(spot, ctx.home)}",
                   result={"panel": panel.model_dump(mode="json")})


@registry.action("panel.resize", PanelResizeArgs)
def panel_resize(ctx: ActionContext, args: PanelResizeArgs) -> Outcome:
    """Resize a panel to a preset size."""
    panel = find_panel(ctx.home, args.panel)
    request = PlacementRequest(surface=panel.surface, size=args.size, floating=panel.surface is None)
    spot = _place(ctx, request, ignore=panel.id)
    panel.pose, panel.size, panel.size_preset = spot.pose, spot.size, spot.size_preset
    return Outcome("panel.resize", {"panel": panel.id, "size": args.size},
                   f"Made the panel {args.size}", result={"panel": panel.model_dump(mode="json")})


@registry.action("panel.close", PanelCloseArgs)
def panel_close(ctx: ActionContext, args: PanelCloseArgs) -> Outcome:
    """Close a panel (stops its playback)."""
    panel = find_panel(ctx.home, args.panel)
    ctx.home.panels.remove(panel)
    session = ctx.home.playback.pop(panel.id, None)
    if ctx.services is not None:
        ctx.services.remember(ctx.home.id, session, ctx.now, ctx.caller.person)
    return Outcome("panel.close", {"panel": panel.id}, f"Closed the panel showing {panel.content}")
