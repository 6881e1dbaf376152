"""The one list of typed actions.

Each action is a function with a pydantic argument model. REST endpoints, CLI commands,
assistant tools and the evaluation are all generated from this registry, so an action is
written once. Handlers mutate the working copy of the home they are given; the hub decides
whether that copy becomes the truth.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterator, Optional

from pydantic import BaseModel, ValidationError

from twinspace.errors import InvalidInput, NotFound, json_path
from twinspace.geometry import Viewer
from twinspace.home.model import Home, Person


@dataclass(frozen=True)
class Caller:
    """Who asks: the person (for ratings and ownership) and the device they use."""

    home_id: str
    person: Optional[str] = None
    device: Optional[str] = None
    role: str = "member"  # "owner" may administer the home; "member" may use it; "guest": one shared space

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


@dataclass
class ActionContext:
    home: Home  # the working copy; handlers change it in place
    caller: Caller
    now: datetime
    viewer: Optional[Viewer] = None
    room: Optional[str] = None  # the viewer's room, when known
    focus: Optional[str] = None  # the panel the viewer is looking at
    services: Any = None  # content catalogue and other read-only helpers, when present
    confirmed: bool = False
    bridges: Any = None  # bridges.manager.BridgeManager when real devices are connected

    @property
    def person(self) -> Optional[Person]:
        return self.home.person(self.caller.person) if self.caller.person else None


@dataclass
class Outcome:
    """What an action did, with its arguments as resolved (e.g. the surface actually used)."""

    action: str
    args: dict[str, Any]
    message: str
    changed: bool = True
    result: Optional[dict[str, Any]] = None


@dataclass
class Pending:
    """An action that needs the person's confirmation before it acts."""

    action: str
    args: dict[str, Any]
    reason: str


Handler = Callable[[ActionContext, Any], Outcome]
ConfirmRule = Callable[[ActionContext, Any], Optional[str]]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    summary: str
    args: type[BaseModel]
    run: Handler
    read_only: bool = False
    confirm: Optional[ConfirmRule] = None  # returns a reason when confirmation is needed
    reshapes: bool = False  # changes more than the live state: runs on a whole copy (home/working_copy.py)

    def parse(self, raw: Any) -> BaseModel:
        """Validate raw arguments, naming the first bad argument in the error."""
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise InvalidInput(f"{self.name} takes an object of arguments, not {type(raw).__name__}")
        try:
            return self.args.model_validate(raw)
        except ValidationError as e:
            err = e.errors(include_url=False)[0]
            raise InvalidInput(
                f"{self.name}: argument {json_path(tuple(err['loc']))}: {err['msg'].removeprefix('Value error, ')}",
                action=self.name,
            ) from None

    def schema(self) -> dict[str, Any]:
        return self.args.model_json_schema()


@dataclass
class Registry:
    _actions: dict[str, ActionSpec] = field(default_factory=dict)

    def action(self, name: str, args: type[BaseModel], *, read_only: bool = False,
               confirm: Optional[ConfirmRule] = None, reshapes: bool = False) -> Callable[[Handler], Handler]:
        """Register the decorated function as action `name`; its docstring is the summary.
        `reshapes`: it changes more than devices' states, panels, playback and seats."""

        def register(fn: Handler) -> Handler:
            if name in self._actions:
                raise ValueError(f"action {name} is registered twice")
            summary = (fn.__doc__ or name).strip().splitlines()[0]
            self._actions[name] = ActionSpec(name, summary, args, fn, read_only, confirm, reshapes)
            return fn

        return register

    def get(self, name: str) -> ActionSpec:
        spec = self._actions.get(name)
        if spec is None:
            close = difflib.get_close_matches(name, self._actions, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known actions: {', '.join(sorted(self._actions))}"
            raise NotFound(f"there is no action {name!r}{hint}")
        return spec

    def __iter__(self) -> Iterator[ActionSpec]:
        return iter(sorted(self._actions.values(), key=lambda s: s.name))

    def __contains__(self, name: str) -> bool:
        return name in self._actions

    def tools(self) -> list[dict[str, Any]]:
        """The actions as OpenAI-style function tools."""
        return [{"type": "function",
                 "function": {"name": s.name, "description": s.summary, "parameters": s.schema()}}
                for s in self]


registry = Registry()
