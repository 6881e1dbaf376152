"""The gate every piece of content passes before it is shown: it exists, and the person may see it."""

from __future__ import annotations

from typing import Iterator, Protocol

from twinspace.actions.registry import ActionContext
from twinspace.errors import InvalidInput, NotAllowed, NotFound
from twinspace.home.model import Home

CONTENT_KINDS = ("channel", "programme", "vod", "app")


class ContentItem(Protocol):
    title: str
    rating: str | None


def split_ref(ref: str) -> tuple[str, str]:
    kind, sep, ident = ref.partition(":")
    if not sep or kind not in CONTENT_KINDS or not ident:
        raise InvalidInput(
            f"{ref!r} is not a content reference; use channel:<id>, programme:<id>, vod:<id> or app:<id>")
    return kind, ident


def admit(ctx: ActionContext, ref: str) -> str:
    """Check that `ref` exists and that the caller's rating limit allows it; return its title."""
    kind, ident = split_ref(ref)
    if kind == "app":
        app = next((a for a in ctx.home.content.apps if a.id == ident), None)
        if app is None:
            known = ", ".join(a.id for a in ctx.home.content.apps) or "none"
            raise NotFound(f"there is no app {ident!r} in this home; apps: {known}")
        return app.name
    if ctx.services is None:  # no catalogue attached (bare twin): nothing more to check
        return ref
    item: ContentItem = ctx.services.resolve(ctx.home.id, ref, at=ctx.now)  # a channel is rated by what airs
    person = ctx.person
    if person is not None and not ctx.services.allowed(item.rating, person.max_rating):
        raise NotAllowed(
            f"{item.title} is rated {item.rating}, above {person.name}'s limit of {person.max_rating}")
    return item.title


def shown_again(before: Home, after: Home) -> Iterator[str]:
    """The content refs `after` shows or plays that `before` does not (in the same place)."""
    panels = {p.id: p.content for p in before.panels}
    for panel in after.panels:
        if panels.get(panel.id) != panel.content:
            yield panel.content
    for target, session in after.playback.items():
        was = before.playback.get(target)
        if session.playing and (was is None or not was.playing or was.content != session.content):
            yield session.content
    devices = {d.id: d.state for _, d in before.devices()}
    for _, device in after.devices():
        state, was = device.state, devices.get(device.id)
        for ref in (state.playing, f"app:{state.app}" if state.app else None) if state and state.on else ():
            if ref and not (was and was.on and ref in (was.playing, f"app:{was.app}" if was.app else None)):
                yield ref


def admit_restored(ctx: ActionContext, before: Home) -> None:
    """Undo brings an earlier state back (ctx.home): whatever it would show again passes the
    gate for the caller, as if they had asked for it now."""
    for ref in dict.fromkeys(shown_again(before, ctx.home)):
        admit(ctx, ref)
