"""Misheard words: the readings of what speech recognition heard, and the question to ask.

Only reached when the words as heard name nothing (or several things, and some word named
nothing). A word is replaced by what it sounds like only if that is a clear winner in the
home's vocabulary and leads to one thing; a close call is asked about, naming candidates.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence, TypeVar, Union

from twinspace.assistant import soundalike
from twinspace.assistant.grounding.world import FILLER, SIDE_WORDS, SURFACE_NOUNS, WEARABLE_WORDS, Candidate, Refusal


# Words never taken for misheard ones: they frame the request, say where or when, or are
# the verbs a span may have caught ("send", not "sound"; "right", not "light").
KEEP_WORDS = frozenset("""in on of to at by for and or all everything off up down it its is the with from
    over under next near beside above below here there please now tonight today tomorrow later live new
    latest again more just can could would will you i i'm me my what what's whats when where which who how
    while instead turn switch put set make get show play watch open close start stop pause send move bring
    take dim brighten see hear full half way hand side wall room volume sound loud louder quiet quieter
    bright brighter big bigger small smaller size nice time minute minutes mins second seconds percent
    too won""".split()) | frozenset(SIDE_WORDS) | frozenset(SURFACE_NOUNS) | frozenset(WEARABLE_WORDS) | frozenset(
    soundalike.NUMBER_WORDS)
MAX_ALTERNATIVES = 6

T = TypeVar("T")


@dataclass(frozen=True)
class Reading:
    """One way to read misheard words: the words with the meanings chosen put in."""

    words: list[str]
    meant: list[str]  # the chosen meanings' words
    close: bool  # every misheard word was heard close to its meaning


def heard_alternatives(ws: list[str], vocabulary: Iterable[str], keep: Iterable[str] = ()
                        ) -> Optional[tuple[list[soundalike.Correction], list[Reading]]]:
    """The misheard words in `ws` and the readings worth trying, each with whether every word
    of it was heard close to its meaning (a reading may still be one of several). None when
    no word, or not every word, the vocabulary lacks sounds close to something in it."""
    numbers = {w for w in ws if w.isdigit()}
    fixes = soundalike.correct(ws, vocabulary, keep=KEEP_WORDS | FILLER | numbers | set(keep))
    useful = [c for c in fixes if c.options]
    if not useful or len(useful) < len(fixes):  # a word that sounds like nothing here: not misheard
        return None
    close = all(c.close for c in useful)
    readings = []
    for combo in itertools.islice(itertools.product(*(c.options for c in useful)), MAX_ALTERNATIVES):
        choice = {c.start: meant for c, meant in zip(useful, combo)}
        readings.append(Reading(soundalike.apply(ws, fixes, choice), " ".join(combo).split(), close))
    return useful, readings


def heard_phrase(fixes: Sequence[soundalike.Correction]) -> str:
    return " ".join(c.heard for c in fixes)


def which_question(fixes: Sequence[soundalike.Correction], found: list[Candidate]) -> Refusal:
    """'I heard 'ramp' — did you mean the floor lamp or the desk lamp?'"""
    candidates: list[Candidate] = []
    for c in found:  # each name once, first found first
        if all(c.name != d.name for d in candidates):
            candidates.append(c)
    names = [c.name for c in candidates]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    heard = heard_phrase(fixes)
    return Refusal(f"I heard {heard!r} — did you mean {listed}?", question=True, heard=heard,
                   candidates=tuple(candidates))


def resolve_heard(fixes: Sequence[soundalike.Correction], readings: list[Reading],
                   resolve: Callable[[Reading], list[T]], ident: Callable[[T], str],
                   name: Callable[[T], str], plain: Optional[Callable[[T, Reading], str]] = None
                   ) -> Optional[Union[list[T], Refusal]]:
    """Try each reading: the thing found when every reading that finds anything finds the same
    one thing and the words were heard close to it; a question naming what the readings found
    otherwise; None when they found nothing. `plain` gives the words that name a thing for a
    reading that found it (its name, unless said otherwise)."""
    found: list[tuple[list[T], bool, Reading]] = [(resolve(r), r.close, r) for r in readings]
    found = [f for f in found if f[0]]
    if not found:
        return None
    outcomes = {tuple(ident(t) for t in things) for things, _, _ in found}
    if len(outcomes) == 1 and found[0][1] and len(found[0][0]) == 1:
        return found[0][0]
    plain = plain or (lambda t, _: name(t))
    return which_question(fixes, [Candidate(name(t), plain(t, r), ident(t)) for things, _, r in found for t in things][:4])
