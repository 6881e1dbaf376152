"""Replies written for the screen, rewritten to be heard: "Opened Arena Sports (now: Tennis
Classics) on lounge/wall-east" is said as "Opened Arena Sports on the east wall. Now showing
Tennis Classics." The first sentence is short, so it is synthesised and heard sooner.

Titles come from imported guides and can be any length: each sentence is cut to
`MAX_SENTENCE` characters and the whole reply to `MAX_SPOKEN`, at word boundaries."""

from __future__ import annotations

import re

_SURFACE = re.compile(r"\b(?:on |onto |to )?([a-z0-9-]+)/([a-z0-9-]+)\b")
_NOW = re.compile(r"\s*\(now: ([^)]*)\)")
_PANEL = re.compile(r"\bpanel p\d+\b")
MAX_SENTENCE = 160  # characters: about ten seconds of speech
MAX_SPOKEN = 600  # characters of a whole spoken reply


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[:cut if cut > 0 else limit].rstrip(" ,;:") + "…"


def _surface_words(part: str) -> str:
    words = part.split("-")
    if len(words) == 2 and words[0] == "wall":  # "wall-east" is the east wall
        words = [words[1], "wall"]
    return "the " + " ".join(words)


def speakable(messages: list[str]) -> str:
    sentences = []
    for message in messages:
        message = message.strip()
        if not message:
            continue
        later = [_cap(f"Now showing {m.strip()}", MAX_SENTENCE) + "." for m in _NOW.findall(message)]
        message = _NOW.sub("", message)
        message = _SURFACE.sub(lambda m: m.group(0).split(m.group(1))[0] + _surface_words(m.group(2)), message)
        message = _cap(_PANEL.sub("the panel", message), MAX_SENTENCE)
        if message[-1] not in ".?!\u2026":
            message += "."
        sentences += [message, *later]
    return _cap(" ".join(sentences), MAX_SPOKEN)
