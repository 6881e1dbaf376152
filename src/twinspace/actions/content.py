"""Content actions: what's on (guide.now), search, launching an app on a TV, and the
assistant's plain reply. Everything shown is filtered by the caller's rating limit.

The JSON shapes of listings and search hits are defined here once; the HTTP content routes
(server/content_routes.py) return the same shapes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from twinspace.actions.content_gate import admit
from twinspace.actions.bridged import carry_out
from twinspace.actions.devices import find_device
from twinspace.actions.playback import remember
from twinspace.actions.registry import ActionContext, Outcome, registry
from twinspace.content import playback as rules
from twinspace.content.models import Channel, Listing, Programme
from twinspace.content.search import SearchHit
from twinspace.errors import InvalidInput, NotFound
from twinspace.home.model import DeviceState

SEARCH_LIMIT = 10
SEARCH_SHOWN = 5  # hits named in the message; all are in the result


class GuideNowArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Optional[str] = Field(None, description="channel id, name or number; omitted: every channel")
    category: Optional[str] = Field(None, description="a guide category or channel group, e.g. Football, Kids")
    at: Optional[datetime] = Field(None, description="ISO 8601 time with UTC offset; omitted: now")


class ContentSearchArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, description="words to look for, e.g. 'football' or 'ocean documentary'")
    kind: Optional[Literal["channel", "programme", "vod", "app"]] = Field(None, description="only this kind")


class AppLaunchArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    app: str = Field(description="app id (or app:<id>) from the home's apps")
    device: str = Field(description="id of a TV")


class AssistantReplyArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description="what to say")


# --- shapes --------------------------------------------------------------------------------

def channel_json(channel: Channel) -> dict[str, Any]:
    return {"id": channel.id, "ref": channel.ref, "name": channel.name, "number": channel.number,
            "group": channel.group, "logo": channel.logo}


def programme_json(p: Programme) -> dict[str, Any]:
    return {"id": p.id, "ref": p.ref, "title": p.title, "start": p.start.isoformat(), "stop": p.stop.isoformat(),
            "description": p.description, "categories": list(p.categories), "rating": p.rating,
            "season": p.season, "episode": p.episode}


def listing_json(listing: Listing) -> dict[str, Any]:
    return {"channel": channel_json(listing.channel), "programme": programme_json(listing.programme)}


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {"kind": hit.kind, "ref": hit.ref, "title": hit.title, "subtitle": hit.subtitle,
            "channel_ref": hit.channel_ref, "live": hit.live}


def describe_listing(listing: Listing) -> str:
    """'Sports One: Premier League Highlights (19:30–20:30)', in the guide's own time zone."""
    p = listing.programme
    return f"{listing.channel.name}: {p.title} ({p.start:%H:%M}–{p.stop:%H:%M})"


def services_of(ctx_services: Any) -> Any:
    if ctx_services is None:
        raise NotFound("this hub has no content catalogue; import a home with channels, a guide or on-demand titles")
    return ctx_services


def rating_limit(ctx: ActionContext) -> Optional[str]:
    person = ctx.person
    return person.max_rating if person else None


def aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"the time {moment.isoformat()} has no UTC offset; add one, e.g. 2026-11-28T20:05+09:00")
    return moment


# --- actions -------------------------------------------------------------------------------

@registry.action("guide.now", GuideNowArgs, read_only=True)
def guide_now(ctx: ActionContext, args: GuideNowArgs) -> Outcome:
    """What is on now, or at a time, on one channel, in a category, or everywhere."""
    catalog = services_of(ctx.services).catalog
    at = aware(args.at) if args.at is not None else ctx.now
    channel = catalog.channel(ctx.home.id, args.channel) if args.channel is not None else None
    listings = catalog.at(ctx.home.id, at, channel=channel.id if channel else None, category=args.category,
                          max_rating=rating_limit(ctx))
    resolved = {k: v for k, v in {"channel": channel.id if channel else None, "category": args.category,
                                  "at": at.isoformat()}.items() if v is not None}
    if listings:
        message = "; ".join(describe_listing(listing) for listing in listings)
    else:
        where = f" on {channel.name}" if channel else (f" in {args.category}" if args.category else "")
        message = f"Nothing is listed{where} at {at.isoformat(timespec='minutes')}"
    return Outcome("guide.now", resolved, message, changed=False,
                   result={"at": at.isoformat(), "listings": [listing_json(listing) for listing in listings]})


@registry.action("content.search", ContentSearchArgs, read_only=True)
def content_search(ctx: ActionContext, args: ContentSearchArgs) -> Outcome:
    """Find channels, programmes, on-demand titles and apps."""
    catalog = services_of(ctx.services).catalog
    hits = catalog.search(ctx.home.id, args.query, at=ctx.now, kind=args.kind, max_rating=rating_limit(ctx),
                          limit=SEARCH_LIMIT)
    if hits:
        message = "Found: " + "; ".join(f"{h.title} ({h.subtitle})" for h in hits[:SEARCH_SHOWN])
    else:
        message = f"Nothing matches {args.query!r}"
    return Outcome("content.search", args.model_dump(exclude_none=True), message, changed=False,
                   result={"query": args.query, "hits": [hit_json(h) for h in hits]})


@registry.action("app.launch", AppLaunchArgs)
def app_launch(ctx: ActionContext, args: AppLaunchArgs) -> Outcome:
    """Launch an app on a TV (an app in your space is panel.open with app:<id>)."""
    app_id = args.app.removeprefix("app:")
    name = admit(ctx, f"app:{app_id}")
    device = find_device(ctx.home, args.device)
    if device.kind != "tv":
        raise InvalidInput(f"{device.name} is a {device.kind}; apps launch on TVs. "
                           f"To open {name} in your space use panel.open with app:{app_id}")
    resolved = {"app": app_id, "device": device.id}
    state = device.state or DeviceState()
    if state.on and state.app == app_id and not state.playing:
        return Outcome("app.launch", resolved, f"{name} is already open on {device.name}", changed=False)
    remember(ctx, rules.stop(ctx.home, rules.find_target(ctx.home, device.id)))  # the app takes the screen
    device.state = state.model_copy(update={"on": True, "app": app_id, "playing": None})
    carry_out(ctx, device, "app.launch", app=app_id, name=name)  # a bridged TV must confirm it
    return Outcome("app.launch", resolved, f"Opened {name} on {device.name}")


@registry.action("assistant.reply", AssistantReplyArgs, read_only=True)
def assistant_reply(ctx: ActionContext, args: AssistantReplyArgs) -> Outcome:
    """Say something without acting: answer, ask back, or refuse."""
    return Outcome("assistant.reply", {"text": args.text}, args.text, changed=False)
