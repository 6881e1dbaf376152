"""The commands the model writes: a small, home-independent intermediate language.

The model does not name ids. It writes verbs and copies the words of the request that
name things into slots, e.g.

    show what="football" where="the wall to my right"
    power what="the lamp" on=no ; show what="jazz" where="the left wall"

Grounding then turns the copied words into ids of the live home (content search, device
and surface names, spatial words). Because the slots only ever hold words of the request,
the grammar that constrains decoding is built from the request itself, and nothing the
model writes can name an id that does not exist. It also makes the model independent of
the home, which is what lets a small adapter generalise to homes it never saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

SPAN = "span"  # a slot holding words copied from the request

# verb -> ordered slots; each slot is SPAN or a tuple of allowed literal values.
VERBS: dict[str, dict[str, object]] = {
    "show": {"what": SPAN, "where": SPAN, "size": ("small", "medium", "large", "cinema")},
    "switch": {"what": SPAN, "where": SPAN},  # change what an existing panel or screen plays
    "move": {"what": SPAN, "where": SPAN},
    "resize": {"what": SPAN, "size": ("small", "medium", "large", "cinema")},
    "close": {"what": SPAN},
    "pause": {"what": SPAN},
    "resume": {"what": SPAN},
    "seek": {"what": SPAN, "forward": SPAN, "back": SPAN, "to": SPAN},
    "volume": {"what": SPAN, "level": SPAN, "change": ("up", "down", "mute", "unmute")},
    "power": {"what": SPAN, "on": ("yes", "no")},
    "light": {"what": SPAN, "level": SPAN},
    "together": {"what": SPAN, "with": SPAN},  # what plays (on `what`) plays in step on `with` too
    "apart": {"what": SPAN},  # `what` leaves its watch group; without: stop watching together
    "ask_on": {"what": SPAN, "when": SPAN},
    "ask_find": {"what": SPAN},
    "ask_playing": {"what": SPAN},
    "undo": {},
    "none": {},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "show": ("what",), "switch": ("what",), "move": ("where",), "resize": ("size",), "power": ("what", "on"),
    "light": ("level",), "ask_find": ("what",), "together": ("with",),
}
MAX_CALLS = 3
MAX_SPAN_WORDS = 8
SEPARATOR = " ; "

_WORD = re.compile(r"[a-z0-9][a-z0-9'&+.-]*")


def words(text: str) -> list[str]:
    """The request as lower-case words, the unit spans are copied in."""
    return [w.rstrip(".") for w in _WORD.findall(text.lower().replace("’", "'")) if w.rstrip(".")]


def normalize(text: str) -> str:
    return " ".join(words(text))


@dataclass(frozen=True)
class Call:
    verb: str
    slots: dict[str, str] = field(default_factory=dict)

    def get(self, slot: str) -> Optional[str]:
        return self.slots.get(slot)

    def render(self) -> str:
        parts = [self.verb]
        for name, kind in VERBS[self.verb].items():
            if name in self.slots:
                value = self.slots[name]
                parts.append(f'{name}="{value}"' if kind == SPAN else f"{name}={value}")
        return " ".join(parts)


def render(calls: list[Call]) -> str:
    return SEPARATOR.join(c.render() for c in calls)


_SLOT = re.compile(r'\s*([a-z_]+)=(?:"([^"]*)"|([a-z]+))')


def parse(text: str) -> list[Call]:
    """Parse the model's output; raises ValueError on anything outside the language."""
    calls = []
    for chunk in text.strip().split(";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        verb, _, rest = chunk.partition(" ")
        if verb not in VERBS:
            raise ValueError(f"unknown verb {verb!r}")
        slots: dict[str, str] = {}
        pos = 0
        while pos < len(rest):
            m = _SLOT.match(rest, pos)
            if m is None:
                if rest[pos:].strip():
                    raise ValueError(f"cannot read {rest[pos:]!r}")
                break
            name, span, literal = m.group(1), m.group(2), m.group(3)
            kind = VERBS[verb].get(name)
            if kind is None:
                raise ValueError(f"{verb} has no slot {name!r}")
            value = span if span is not None else literal
            if kind != SPAN and value not in kind:  # type: ignore[operator]
                raise ValueError(f"{verb}.{name} cannot be {value!r}")
            slots[name] = value
            pos = m.end()
        missing = [s for s in REQUIRED.get(verb, ()) if s not in slots]
        if missing:
            raise ValueError(f"{verb} needs {', '.join(missing)}")
        calls.append(Call(verb, slots))
    if not calls:
        raise ValueError("no command")
    return calls[:MAX_CALLS]


# --- grammar -------------------------------------------------------------------------

def spans(utterance: str, max_words: int = MAX_SPAN_WORDS) -> list[str]:
    """Every run of up to `max_words` consecutive words of the request, longest first."""
    ws = words(utterance)
    out = {" ".join(ws[i:j]) for i in range(len(ws)) for j in range(i + 1, min(len(ws), i + max_words) + 1)}
    return sorted(out, key=lambda s: (-len(s), s))


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def grammar(utterance: str, verbs: Optional[list[str]] = None) -> str:
    """A GBNF grammar accepting only this language, with spans drawn from the request."""
    allowed = [v for v in VERBS if verbs is None or v in verbs]
    span_alts = spans(utterance) or ["it"]
    rules = [
        f"root ::= call ({_lit(SEPARATOR)} call){{0,{MAX_CALLS - 1}}}",
        "call ::= " + " | ".join(f"v-{v.replace('_', '-')}" for v in allowed),
        'span ::= "\\"" words "\\""',
        "words ::= " + " | ".join(_lit(s) for s in span_alts),
    ]
    for verb in allowed:
        body = [_lit(verb)]
        for name, kind in VERBS[verb].items():
            if kind == SPAN:
                value = f'" {name}=" span'
            else:
                value = f'" {name}=" (' + " | ".join(_lit(v) for v in kind) + ")"  # type: ignore[union-attr]
            body.append(value if name in REQUIRED.get(verb, ()) else f"({value})?")
        rules.append(f"v-{verb.replace('_', '-')} ::= " + " ".join(body))
    return "\n".join(rules) + "\n"
