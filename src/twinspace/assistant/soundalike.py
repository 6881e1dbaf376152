"""Sound-alike matching: what a speech recogniser's words were probably meant to be.

Transcripts mishear in predictable ways: near sounds ("ramp" for "lamp", "lamb", "sealing"
for "ceiling"), homophones ("whether", "won"), words split or merged ("foot all",
"soundbar"/"sound bar") and digits for number words ("news 24"/"news twenty four"). This
module compares words by a rough spelling of their sound (a key) with an edit distance in
which confusable sounds are cheap, and decides whether one meaning is a clear winner.

    key("football") == key("foot ball")        similarity("ramp", "lamp") ≈ 0.89
    correct(["the", "ramp"], vocabulary)  ->  [Correction("ramp", ("lamp",), ...)]

It knows nothing about the home: grounding hands it the words that may be meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

# A correction is made when its best meaning is at least this close (SURE_SHORT for words
# of up to three sounds, where one change is a third of the word) and the runner-up is at
# least MARGIN further; between ASK and that, the person is asked; below ASK, nothing.
SURE = 0.85
SURE_SHORT = 0.9
MARGIN = 0.1
ASK = 0.8
MAX_WINDOW = 3  # heard words joined to match one meant word ("foot all" -> "football")
MIN_SOUNDS = 3  # a word of fewer sounds is only corrected joined to its neighbours

_VOWELS = frozenset("aeiouy")
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS = {w: n for n, w in enumerate(_ONES)} | {w: 10 * n for n, w in enumerate(_TENS) if w}

# Pairs of sounds a recogniser confuses, with the cost of one for the other (1.0 = unrelated).
# Upper-case letters stand for digraphs in keys: C "ch", S "sh", T "th".
_PAIRS = {
    ("l", "r"): 0.45, ("m", "n"): 0.4, ("b", "p"): 0.4, ("d", "t"): 0.4, ("s", "z"): 0.2, ("f", "v"): 0.4,
    ("g", "k"): 0.4, ("T", "f"): 0.5, ("T", "t"): 0.5, ("T", "d"): 0.5, ("C", "S"): 0.4, ("S", "s"): 0.5,
    ("C", "j"): 0.4, ("g", "j"): 0.5, ("v", "w"): 0.5, ("b", "v"): 0.6, ("k", "t"): 0.7, ("p", "t"): 0.7,
    ("k", "p"): 0.7, ("b", "d"): 0.7, ("d", "g"): 0.7, ("n", "N"): 0.4,
}
_COST = {**_PAIRS, **{(b, a): c for (a, b), c in _PAIRS.items()}}
# Vowels: near ones are confused ("flor"/"floor"), others make another word ("send"/"sound").
NEAR_VOWELS = frozenset({frozenset("ou"), frozenset("ei"), frozenset("ae")})
NEAR_VOWEL_SWAP = 0.4
VOWEL_SWAP = 0.8
WEAK_GAP = 0.4  # inserting or dropping h, w or y, or a word's final s
VOWEL_GAP = 0.5
STOP_GAP = 0.7  # a swallowed b, d, g, k, p or t ("foot all" for "football")
GAP = 1.0


def spell_number(digits: str) -> str:
    """'24' -> 'twenty four'; longer numbers as they are usually read: '360' -> 'three sixty',
    '2026' -> 'twenty twenty six', '100' -> 'one hundred'."""
    n = int(digits)
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 10000:
        head, tail = divmod(n, 100)
        return spell_number(str(head)) + (" hundred" if tail == 0 else
                                          " " + (f"oh {_ONES[tail]}" if tail < 10 else spell_number(str(tail))))
    return " ".join(_ONES[int(d)] for d in digits)


def spelled(text: str) -> str:
    """The text with its numbers as words: 'news 24' -> 'news twenty four'."""
    return re.sub(r"\d+", lambda m: " " + spell_number(m.group()) + " ", text).strip()


# Words whose spelling hides their sound, as keys: "two" sounds like "too", "one" like "won".
_SAID = {"two": "tu", "one": "wun", "once": "wuns", "eight": "et", "eighty": "eti", "eighteen": "etin"}


@lru_cache(maxsize=4096)
def _word_key(w: str) -> str:
    if w.isdigit():
        return "".join(_word_key(part) for part in spell_number(w).split())
    if w in _SAID:
        return _SAID[w]
    for start, instead in (("kn", "n"), ("wr", "r"), ("wh", "w"), ("ps", "s"), ("x", "z")):
        if w.startswith(start):
            w = instead + w[len(start):]
    if len(w) >= 3 and w.endswith("e") and w[-2] not in _VOWELS:  # silent e: "like", "one"
        w = w[:-1]
    for spelling, sound in (("tch", "C"), ("ch", "C"), ("sh", "S"), ("th", "T"), ("ph", "f"), ("ck", "k"),
                            ("qu", "kw"), ("q", "k"), ("x", "ks"), ("dg", "j"), ("igh", "i"), ("ng", "N"),
                            ("ew", "u"), ("oo", "u")):
        w = w.replace(spelling, sound)
    w = re.sub(r"(?<=.)gh", "", w)  # "night", "though"
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k")
    w = w[:1] + w[1:].replace("y", "i")  # y is a vowel but at the start
    w = re.sub(r"([aeiou])[aeiou]+", r"\1", w)  # one vowel sound: "weather" is "wether"
    return re.sub(r"(.)\1+", r"\1", w)  # "football", "jazz"


@lru_cache(maxsize=16384)
def key(text: str) -> str:
    """A rough spelling of how the words sound, spaces and apostrophes dropped."""
    return "".join(_word_key(w) for w in re.findall(r"[a-z0-9]+", text.lower().replace("'", "").replace("’", "")))


def _sub(a: str, b: str) -> float:
    if a == b:
        return 0.0
    if a in _VOWELS and b in _VOWELS:
        return NEAR_VOWEL_SWAP if frozenset((a, b)) in NEAR_VOWELS else VOWEL_SWAP
    return _COST.get((a, b), GAP)


def _gap(s: str, i: int) -> float:
    c = s[i]
    if c in "hwy" or (c == "s" and i == len(s) - 1):
        return WEAK_GAP
    if c in _VOWELS:
        return VOWEL_GAP
    return STOP_GAP if c in "bdgkpt" else GAP


@lru_cache(maxsize=65536)
def distance(a: str, b: str) -> float:
    """Edit distance between two keys in which confusable sounds and weak letters are cheap."""
    prev = [0.0]
    for j in range(len(b)):
        prev.append(prev[-1] + _gap(b, j))
    for i in range(len(a)):
        cur = [prev[0] + _gap(a, i)]
        for j in range(len(b)):
            cur.append(min(prev[j] + _sub(a[i], b[j]), prev[j + 1] + _gap(a, i), cur[j] + _gap(b, j)))
        prev = cur
    return prev[-1]


def similarity(a: str, b: str) -> float:
    """How alike two words or phrases sound, from 0 to 1 (1: the same key)."""
    ka, kb = key(a), key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    longest = max(len(ka), len(kb))
    if abs(len(ka) - len(kb)) > max(2, longest // 2):
        return 0.0  # cheap reject; too different to matter
    return max(0.0, 1.0 - distance(ka, kb) / longest)


@dataclass(frozen=True)
class Correction:
    """Heard words (one or a few joined) and what they may mean, best first."""

    start: int
    stop: int  # the heard words are words[start:stop]
    heard: str
    meant: tuple[str, ...]
    scores: tuple[float, ...]

    @property
    def close(self) -> bool:
        """The best meaning is close enough to act on (if nothing else is as close)."""
        return bool(self.meant) and self.scores[0] >= (SURE_SHORT if len(key(self.heard)) <= 3 else SURE)

    @property
    def sure(self) -> bool:
        """One meaning is close and clearly ahead of any other."""
        return self.close and (len(self.scores) == 1 or self.scores[1] <= self.scores[0] - MARGIN)

    @property
    def options(self) -> tuple[str, ...]:
        """What to offer when asking: the meanings close enough to be worth naming."""
        if self.sure:
            return self.meant[:1]
        top = self.scores[0] if self.scores else 0.0
        return tuple(m for m, s in zip(self.meant, self.scores) if s >= ASK and s >= top - MARGIN)[:3]


def closest(heard: str, vocabulary: Iterable[str], limit: int = 3) -> list[tuple[str, float]]:
    """The vocabulary's entries that sound most like `heard`, best first (ties: shorter, then a-z)."""
    scored: dict[str, tuple[str, float]] = {}
    for entry in vocabulary:
        s = similarity(heard, entry)
        if s >= ASK - MARGIN:
            # One option per sound, with or without a plural s: "lamp", "lamps", "lamp's".
            stem = key(entry)
            stem = stem[:-1] if len(stem) > 2 and stem.endswith("s") else stem
            if stem not in scored or (-s, len(entry), entry) < (-scored[stem][1], len(scored[stem][0]),
                                                                  scored[stem][0]):
                scored[stem] = (entry, s)
    ranked = sorted(scored.values(), key=lambda e: (-e[1], len(e[0]), e[0]))
    return ranked[:limit]


def correct(words: list[str], vocabulary: Iterable[str], *, keep: Iterable[str] = ()) -> list[Correction]:
    """Corrections for the heard words that are not in the vocabulary (nor in `keep`).

    One to MAX_WINDOW neighbouring words are also compared joined, so split words find
    their meaning ("foot all", "sound bar"), and a word may be two of the vocabulary's run
    together ("bigwave"). A word the vocabulary knows is never changed on its own; it only
    joins an unknown neighbour when together they are a sure match. A heard word with no
    close meaning gets a Correction with nothing in `meant`.
    """
    vocab = {v.lower() for v in vocabulary if v}
    known = vocab | {k.lower() for k in keep}
    by_key: dict[str, str] = {}
    for v in sorted(vocab, key=lambda v: (len(v), v)):
        by_key.setdefault(key(v), v)

    def unknown(w: str) -> bool:
        return w not in known and bool(key(w))

    def split(w: str) -> Optional[str]:
        """Two words heard as one: "bigwave" is "big wave" when both halves sound like words."""
        for cut in range(2, len(w) - 1):
            left, right = by_key.get(key(w[:cut])), by_key.get(key(w[cut:]))
            if left and right and " " not in left + right:
                return f"{left} {right}"
        return None

    def best_window(i: int, first_stop: int) -> Optional[Correction]:
        best = None
        if first_stop == i + 1 and len(words[i]) >= 5 and (halves := split(words[i])) is not None:
            best = Correction(i, i + 1, words[i], (halves,), (1.0,))
        for stop in range(first_stop, min(len(words), i + MAX_WINDOW) + 1):
            if stop == i + 1 and len(key(words[i])) < MIN_SOUNDS:
                continue  # too little heard to go on, alone: "do", "ok"
            heard = " ".join(words[i:stop])
            ranked = closest(heard, vocab)
            if ranked and (best is None or ranked[0][1] > best.scores[0] + 1e-9):
                best = Correction(i, stop, heard, tuple(m for m, _ in ranked), tuple(s for _, s in ranked))
        return best

    out: list[Correction] = []
    i = 0
    while i < len(words):
        if not unknown(words[i]):
            # Known words may still be a word split in two: "sound bar" (with an unknown word)
            # when sure, "ten is" (words known on their own) only when they sound just like it.
            joined = best_window(i, i + 2) if i + 1 < len(words) else None
            if joined is not None and joined.sure and joined.meant[0] != joined.heard:
                if unknown(words[i + 1]):
                    alone = best_window(i + 1, i + 2)
                    take = alone is None or joined.scores[0] > alone.scores[0]
                else:
                    take = joined.scores[0] >= 1.0
                if take:
                    out.append(joined)
                    i = joined.stop
                    continue
            i += 1
            continue
        found = best_window(i, i + 1)
        out.append(found if found is not None else Correction(i, i + 1, words[i], (), ()))
        i = found.stop if found is not None else i + 1
    return out


def apply(words: list[str], corrections: list[Correction], choice: dict[int, str]) -> list[str]:
    """The words with each correction replaced by the chosen meaning (by its start index);
    corrections without a choice keep the heard words."""
    out: list[str] = []
    i = 0
    by_start = {c.start: c for c in corrections}
    while i < len(words):
        c = by_start.get(i)
        if c is not None and i in choice:
            out.extend(choice[i].split())
            i = c.stop
        else:
            out.append(words[i])
            i += 1
    return out
