"""The assistant: a request in, actions applied to the home and a reply out.

    request ──model (adapter + grammar from the request)──▶ commands (ir)
            ──grounding + planner (live home)──▶ steps ──hub.apply──▶ outcomes + reply

One rule decides which layer reads a request: when Home Assistant's sentence templates
(`templates`) match it and every slot grounds in the home, the template layer answers;
anything else (placement, panels, content, handoff, several steps, phrasings the templates
lack) goes to the grounded model. Both layers' steps go through `hub.apply` alike, and the
turn records which layer answered.

The model proposes, the home decides: every step goes through the hub like any other
front end, with the caller's rights and rating limit; refusals become the reply.

A refusal may be a question about misheard words ("did you mean the floor lamp or the
ceiling light?"). The question waits, briefly, for the same speaker's next turn: an answer
("the floor lamp", "the first one", "never mind") goes on with the original command
without asking the model; anything else drops the question and is a turn like any other.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterator, Optional

from twinspace.actions.registry import Caller, Outcome, Pending
from twinspace.assistant import ir, templates
from twinspace.assistant.grounding import World
from twinspace.assistant.planner import DECLINED, Clarify, Step, answer, plan, reread
from twinspace.assistant.prompt import prompt_for
from twinspace.errors import TwinspaceError
from twinspace.geometry import Viewer
from twinspace.hub import Hub

MAX_COMMAND_TOKENS = 64
QUESTION_WAITS = timedelta(seconds=60)  # an answer later than this is taken as a new request


TEMPLATE, MODEL = "template", "model"  # which layer understood a turn


@dataclass
class Understanding:
    commands: list[ir.Call]
    raw: str
    prompt_tokens: int = 0
    evaluated_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    layer: str = MODEL
    steps: Optional[list[Step]] = None  # the template layer's steps, already grounded
    replies: Optional[templates.Replies] = None  # the template layer's words, when not English


@dataclass
class Event:
    """One thing that happened in a turn, in order: for streaming to clients."""

    type: str  # "understood" | "applied" | "pending" | "refused" | "answer" | "done"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class TurnResult:
    utterance: str
    understanding: Optional[Understanding]
    applied: list[Outcome] = field(default_factory=list)
    pending: list[Pending] = field(default_factory=list)
    answers: list[Outcome] = field(default_factory=list)  # read-only actions (guide, search)
    reply: str = ""
    seconds: float = 0.0
    refusals: list[str] = field(default_factory=list)  # what the turn declined, and why

    @property
    def layer(self) -> str:
        """"template" or "model": which layer understood the request."""
        return self.understanding.layer if self.understanding is not None else MODEL


class Questions:
    """Questions waiting for an answer: at most one per speaker (home, device or person)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[tuple[str, str], tuple[Clarify, datetime]] = {}

    def ask(self, key: tuple[str, str], clarify: Clarify, now: datetime) -> None:
        with self._lock:
            self._waiting = {k: v for k, v in self._waiting.items() if v[1] >= now}  # forget stale ones
            self._waiting[key] = (clarify, now + QUESTION_WAITS)

    def take(self, key: tuple[str, str], now: datetime) -> Optional[Clarify]:
        """The speaker's waiting question, if still fresh; either way it waits no longer."""
        with self._lock:
            waiting = self._waiting.pop(key, None)
        return waiting[0] if waiting is not None and now <= waiting[1] else None


# Routes make an Assistant per request, so questions live with the hub they were asked in.
_questions: "weakref.WeakKeyDictionary[Hub, Questions]" = weakref.WeakKeyDictionary()
_questions_lock = threading.Lock()


def questions_for(hub: Hub) -> Questions:
    with _questions_lock:
        return _questions.setdefault(hub, Questions())


class Assistant:
    def __init__(self, hub: Hub, model: Any) -> None:
        self.hub = hub
        self.model = model  # runtime.LocalModel (or anything with .complete(prompt, grammar=...))
        self.questions = questions_for(hub)

    def understand(self, utterance: str) -> Understanding:
        """Ask the model for commands, constrained to the language and to the request's words."""
        completion = self.model.complete(prompt_for(utterance), grammar=ir.grammar(utterance),
                                         max_tokens=MAX_COMMAND_TOKENS, stop=["<|im_end|>", "\n"])
        raw = completion.text.strip()
        try:
            commands = ir.parse(raw)
        except ValueError:
            commands = []
        # A small model sometimes says the same thing twice; doing it twice is never meant.
        commands = [c for i, c in enumerate(commands) if c not in commands[:i]]
        return Understanding(commands, raw, completion.prompt_tokens, completion.evaluated_tokens,
                             completion.completion_tokens, completion.seconds)

    def read_templates(self, world: World, utterance: str) -> Optional[Understanding]:
        """The template layer's reading, when it answers this request (see the module docstring)."""
        started = time.perf_counter()
        reading = templates.read(world, utterance)
        if reading is None:
            return None
        return Understanding([], reading.match.describe(), seconds=time.perf_counter() - started,
                             layer=TEMPLATE, steps=reading.steps, replies=reading.replies)

    def world(self, home_id: str, caller: Caller, viewer: Optional[Viewer], room: Optional[str],
              focus: Optional[str], now: datetime) -> World:
        home = self.hub.home(home_id)
        if room is None and viewer is not None:
            found = home.room_at(viewer.position[0], viewer.position[2])
            room = found.id if found else None
        person = home.person(caller.person) if caller.person else None
        catalog = getattr(self.hub.services, "catalog", None)
        return World(home=home, now=now, viewer=viewer, room=room, person=person, device=caller.device,
                     focus=focus, catalog=catalog)

    def events(self, home_id: str, utterance: str, *, caller: Caller, viewer: Optional[Viewer] = None,
               room: Optional[str] = None, focus: Optional[str] = None, now: Optional[datetime] = None,
               confirmed: bool = False, result: Optional[TurnResult] = None,
               understanding: Optional[Understanding] = None) -> Iterator[Event]:
        """Run a turn, yielding events as they happen; fills `result` when given.

        `understanding` is the model's reading of this utterance when already made (voice turns
        make it while the silence after speech is confirmed)."""
        started = time.perf_counter()
        now = now or self.hub.clock()
        result = result if result is not None else TurnResult(utterance, None)
        speaker = caller.device or caller.person
        key = (home_id, speaker) if speaker else None
        waiting = self.questions.take(key, now) if key else None
        picked = answer(waiting, utterance) if waiting is not None else None
        if waiting is not None and picked is not None:
            # The answer to the question asked last turn: no need to ask the model.
            resumed = [] if picked == DECLINED else [waiting.resume(picked)]
            understanding = Understanding(resumed, ir.render(resumed) if resumed else "")
        else:
            world = self.world(home_id, caller, viewer, room, focus, now)
            world.utterance = utterance
            understanding = self.read_templates(world, utterance) or understanding or self._model_reads(utterance)
        result.understanding = understanding
        yield Event("understood", {"commands": ir.render(understanding.commands) if understanding.commands else "",
                                   "raw": understanding.raw, "layer": understanding.layer})
        replies: list[str] = []
        if picked == DECLINED:
            replies.append("OK, never mind.")
            yield Event("answer", {"message": replies[-1]})
        elif not understanding.commands and understanding.steps is None:
            replies.append(templates.not_understood(templates.language_of(utterance))
                           or "Sorry, I didn't understand that. Try \"put the news on the wall to my left\".")
            result.refusals.append(replies[-1])
            yield Event("refused", {"message": replies[-1]})
        asked: Optional[Clarify] = None
        for steps in self._plans(understanding, home_id, caller, viewer, room, focus, now, utterance):
            for step in steps:
                asked = asked or step.clarify
                for event in self._run(home_id, step, caller, viewer, room, focus, now, confirmed, result):
                    event = _in_language(understanding.replies, step, event)
                    replies.append(event.data.get("message", ""))
                    if event.type == "refused":
                        result.refusals.append(event.data.get("message", ""))
                    yield event
                if step.action and step.action.startswith("panel.open") and result.applied:
                    focus = result.applied[-1].result["panel"]["id"] if result.applied[-1].result else focus
        if asked is not None and key is not None:
            self.questions.ask(key, asked, now)
        result.reply = " ".join(dict.fromkeys(r for r in replies if r))  # a sentence is said once
        result.seconds = time.perf_counter() - started
        yield Event("done", {"reply": result.reply, "seconds": round(result.seconds, 3)})

    def _model_reads(self, utterance: str) -> Understanding:
        if templates.language_of(utterance) != "en":
            # The model reads English only; in other languages the templates are the whole reach.
            return Understanding([], "", layer=MODEL)
        return self.understand(utterance)

    def _plans(self, understanding: Understanding, home_id: str, caller: Caller, viewer: Optional[Viewer],
               room: Optional[str], focus: Optional[str], now: datetime, utterance: str) -> Iterator[list[Step]]:
        """The steps of each command in turn, each planned against the home as it is by then."""
        if understanding.steps is not None:
            yield understanding.steps
            return
        reading = self.world(home_id, caller, viewer, room, focus, now)
        reading.utterance = utterance
        for command in reread(reading, understanding.commands):
            world = self.world(home_id, caller, viewer, room, focus, now)
            world.utterance = utterance
            yield plan(world, command)

    def turn(self, home_id: str, utterance: str, **kwargs: Any) -> TurnResult:
        result = TurnResult(utterance, None)
        for _ in self.events(home_id, utterance, result=result, **kwargs):
            pass
        return result

    def _run(self, home_id: str, step: Step, caller: Caller, viewer: Optional[Viewer], room: Optional[str],
             focus: Optional[str], now: datetime, confirmed: bool, result: TurnResult) -> Iterator[Event]:
        if step.undo:
            try:
                outcome = self.hub.undo(home_id, caller)
            except TwinspaceError as e:
                yield Event("refused", {"message": e.detail})
                return
            result.applied.append(outcome)
            yield Event("applied", {"action": "undo", "args": outcome.args, "message": outcome.message})
            return
        if step.action is None:
            yield Event("refused" if step.refused else "answer", {"message": step.say or ""})
            return
        try:
            outcome = self.hub.apply(home_id, step.action, step.args, caller=caller, viewer=viewer, room=room,
                                     focus=focus, confirmed=confirmed, now=now)
        except TwinspaceError as e:
            yield Event("refused", {"action": step.action, "message": e.detail})
            return
        if isinstance(outcome, Pending):
            result.pending.append(outcome)
            yield Event("pending", {"action": outcome.action, "args": outcome.args, "message": outcome.reason})
            return
        spec = self.hub.registry.get(step.action)
        (result.answers if spec.read_only else result.applied).append(outcome)
        yield Event("answer" if spec.read_only else "applied",
                    {"action": outcome.action, "args": outcome.args, "message": outcome.message,
                     "result": outcome.result})


def _in_language(replies: Optional[templates.Replies], step: Step, event: Event) -> Event:
    """The event in the request's language, where the templates have the words: a step carried
    out, or a refusal made while grounding. The hub's own refusals keep its English words."""
    if replies is None or event.type == "done":
        return event
    if event.type == "applied" or (event.type == "answer" and step.action is None and not step.refused):
        text = replies.applied()
    elif event.type == "refused" and step.because is not None:
        text = replies.refused(step.because)
    else:
        return event
    return event if text is None else Event(event.type, {**event.data, "message": text})
