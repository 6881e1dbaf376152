"""Seats: where a person sits in a space (docs/spaces.md). Who is in a space changes by
invites; where they sit, by each person taking a free seat for themselves."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from twinspace.actions.registry import ActionContext, Outcome, registry
from twinspace.errors import Conflict, Forbidden, InvalidInput, NotFound


class SeatTakeArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seat: str = Field(max_length=200, description="the seat to sit in, e.g. seat-3 (a free one)")


@registry.action("seat.take", SeatTakeArgs)
def seat_take(ctx: ActionContext, args: SeatTakeArgs) -> Outcome:
    """Sit in a free seat of the space (your own seat is freed)."""
    home = ctx.home
    if not home.seats:
        raise InvalidInput(f"{home.name} has no seats")
    me = ctx.caller.person
    if me is None or home.person(me) is None:
        raise Forbidden("only a person of the space takes a seat; this device is nobody's")
    seat = next((s for s in home.seats if s.id == args.seat), None)
    if seat is None:
        free = ", ".join(s.id for s in home.seats if s.person is None) or "none"
        raise NotFound(f"there is no seat {args.seat[:60]!r} in {home.name}; free seats: {free}")
    if seat.person == me:
        return Outcome("seat.take", {"seat": seat.id}, f"You already sit in {seat.name}", changed=False,
                       result={"seat": seat.id})
    if seat.person is not None:
        who = home.person(seat.person)
        raise Conflict(f"{seat.name} is taken by {who.name if who else seat.person}; pick a free seat")
    for other in home.seats:
        if other.person == me:
            other.person = None
    seat.person = me
    return Outcome("seat.take", {"seat": seat.id}, f"{home.person(me).name} sits in {seat.name}",  # type: ignore[union-attr]
                   result={"seat": seat.id})
