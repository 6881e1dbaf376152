"""Content grounding: the channel, title or app the words mean, for this person.

Apps and channels by name or number, then the catalogue's search; misheard names through
`hearing` against the home's content vocabulary (apps, channels, titles, the guide).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Optional, Union

from twinspace.assistant import soundalike
from twinspace.assistant.grounding.hearing import Reading, heard_alternatives, resolve_heard
from twinspace.assistant.grounding.world import (DEICTIC, FILLER, KIND_WORDS, SYNONYMS, Refusal, World, content_words,
                                                 similar, words)
from twinspace.assistant.numbers import parse_number

NAME_SURE = 0.88  # a whole channel or app name sounding like the words, beating the search
GUIDE_HOURS = (0, 2, 4, 6, 9, 12, 18, 24)  # the guide's programmes at these hours from now are words too


@dataclass(frozen=True)
class ContentMatch:
    ref: str
    title: str
    rating: Optional[str] = None
    kind: str = "channel"


def find_content(world: World, text: str) -> Union[ContentMatch, Refusal]:
    """The channel, title or app these words most plausibly mean, for this person."""
    if " ".join(words(text)) in DEICTIC:  # "it", "this": what is open, not something to search for
        return Refusal(f"I'm not sure what you'd like to watch when you say {text!r}")
    query = " ".join(content_words(text))
    if {"channel", "number"} & set(words(text)):  # "channel five" is channel 5 ("one" is otherwise filler)
        query = _number(" ".join(w for w in words(text) if w in soundalike.NUMBER_WORDS or w.isdigit())) or query
    if not query:
        return Refusal(f"I'm not sure what you'd like to watch when you say {text!r}")
    core = query_core(query)
    # "the TV series North End" is North End; a whole name with a kind word in it still counts first.
    found = (_find_app(world, query) or _channel_named(world, query) or _content_named(world, core)
             if core != query else _content_named(world, query))
    if found is not None:
        return found
    heard = _content_heard(world, core)  # misheard words, e.g. "the jas channel"
    if heard is not None:
        return heard
    if world.catalog is None:
        return Refusal(f"there is no channel guide or catalogue to find {text!r} in")
    return Refusal(f"I couldn't find anything called {text!r}")


def query_core(query: str) -> str:
    """Content words without the words that only say what kind of thing it is ("tv series",
    "the film called"), unless nothing else is left: "find a movie" searches for movies."""
    core = [w for w in query.split() if w not in KIND_WORDS]
    return " ".join(core) if core else query


def channel_named(world: World, text: str) -> Optional[ContentMatch]:
    """The channel the words name by its whole name ("Rink TV", "the Film Club channel")."""
    return _channel_named(world, " ".join(content_words(text)))


def _channel_named(world: World, query: str) -> Optional[ContentMatch]:
    """A channel whose whole name is the words ("kids tv" is Kids TV, not any kids' title)."""
    if world.catalog is None:
        return None
    q = _spoken(query)
    return next((ContentMatch(ch.ref, ch.name, None, "channel") for ch in world.catalog.channels(world.home.id)
                 if q == _spoken(" ".join(content_words(ch.name)))), None)


def _content_named(world: World, query: str) -> Optional[ContentMatch]:
    """What the content words name as they are: an app, a channel, or the catalogue's best hit."""
    return _content_named_by(world, query)[0]


def _content_named_by(world: World, query: str) -> tuple[Optional[ContentMatch], str]:
    """`_content_named`, with the name that matched: the app's, the channel's or the hit's title
    (a programme's, when the match is the channel it is on)."""
    app = _find_app(world, query)
    if app is not None:
        return app, app.title
    catalog = world.catalog
    if catalog is None:
        return None, ""
    home_id = world.home.id
    channel = _find_channel(world, query) or _channel_or_app_sounding_like(world, query)
    if channel is not None:
        return channel, channel.title
    # The search also finds words of descriptions and any one word of several; only a hit
    # the words name (its title, channel, genres, what is on) is something to act on.
    hits = [h for h in catalog.search(home_id, query, at=world.now, limit=5) if _names_hit(world, h, query)]
    if not hits:
        return None, ""
    hit = _best_hit(hits, query)
    ref = hit.channel_ref if hit.kind == "programme" and hit.channel_ref else hit.ref
    item = catalog.resolve(home_id, ref)
    return ContentMatch(ref, getattr(item, "title", hit.title), getattr(item, "rating", None),
                        ref.split(":", 1)[0]), hit.title


def _names_hit(world: World, hit: Any, query: str) -> bool:
    """Whether the words name this hit: each of them (of three or more, all but one) is a word
    of its name, its channel, its genres or categories, or of what is on its channel now."""
    ws = [w for w in query.split() if w not in KIND_WORDS] or query.split()
    name = set(content_words(hit.title)) | set(content_words(hit.subtitle.split("·")[0]))
    name |= set(describe(world, hit.ref)) - {hit.kind}
    if hit.kind == "programme" and hit.channel_ref:
        name |= set(describe(world, hit.channel_ref)) - {"channel"}
    named = {i for i, w in enumerate(ws) if any(_word_names(w, n) for n in name)}
    for i, pair in enumerate(a + b for a, b in zip(ws, ws[1:])):  # as heard: "foot all" is "football"
        if any(pair == n or similar(pair, n) >= 0.8 for n in name):
            named |= {i, i + 1}
    return bool(named) and len(named) >= (len(ws) - 1 if len(ws) >= 3 else len(ws))


def _word_names(w: str, n: str) -> bool:
    """'ocean' names 'oceans', 'footbal' names 'football'; short words must be exact."""
    if w == n:
        return True
    if len(w) < 4 or len(n) < 4:
        return False
    return n.startswith(w) or w.startswith(n) or similar(w, n) >= 0.8


def _best_hit(hits: list[Any], query: str) -> Any:
    """The search's best hit, except that among hits named exactly by the words, something
    watchable now (a title, a channel, a programme on air) beats a programme that is not on."""
    exact = [h for h in hits if " ".join(content_words(h.title)) == query]
    if not exact:
        return hits[0]
    return next((h for h in exact if h.kind != "programme" or h.live), exact[0])


def _find_app(world: World, query: str) -> Optional[ContentMatch]:
    best, score = None, 0.0
    for app in world.home.content.apps:
        name = " ".join(content_words(app.name)) or app.name.lower()
        s = 1.0 if query == name or query == app.id else similar(query, name)
        if query.endswith(" app") and query[:-4] in (name, app.id):
            s = 1.0
        if s > score:
            best, score = app, s
    if best is not None and score >= 0.85:
        return ContentMatch(f"app:{best.id}", best.name, None, "app")
    return None


def _find_channel(world: World, query: str) -> Optional[ContentMatch]:
    """A channel named or numbered by the words, or the one channel of a named group."""
    channels = world.catalog.channels(world.home.id)
    q = query.replace(" ", "")
    # As heard, names may be split or merged and numbers spelled either way: "kid's tv" is
    # Kids TV and "news twenty four" is News 24.
    q_spoken = _spoken(query)
    for ch in channels:
        name = "".join(content_words(ch.name))
        if q and (q == name or q == ch.id.lower() or (ch.number and query in (ch.number, f"channel {ch.number}"))
                  or q_spoken == _spoken(" ".join(content_words(ch.name)))):
            return ContentMatch(ch.ref, ch.name, None, "channel")
    # "the kids channel", "the documentary channel": a group with one channel in it.
    groups: dict[str, list[Any]] = {}
    for ch in channels:
        if ch.group:
            for w in content_words(ch.group):
                groups.setdefault(w, []).append(ch)
    qwords = query.split()
    if len(qwords) == 1 and qwords[0] in groups and len(groups[qwords[0]]) == 1:
        ch = groups[qwords[0]][0]
        return ContentMatch(ch.ref, ch.name, None, "channel")
    # A word of a channel's name that no other channel shares ("the weather", "cooking").
    for w in qwords:
        owners = [ch for ch in channels if w in content_words(ch.name) or any(
            similar(w, cw) > 0.85 for cw in content_words(ch.name) if len(cw) > 3)]
        if len(owners) == 1 and len(qwords) <= 2 and w not in ("tv", "news", "one", "two", "plus", "live"):
            return ContentMatch(owners[0].ref, owners[0].name, None, "channel")
    return None


def _spoken(text: str) -> str:
    """Words as said, for comparing names: numbers spelled, no spaces or apostrophes."""
    return re.sub(r"[\s'’]+", "", soundalike.spelled(text))


def _number(query: str) -> Optional[str]:
    """'five', '5', 'twenty four' as a number ('5', '24'), when that is all the words say."""
    ws = query.split()
    if not ws or not all(w.isdigit() or w in soundalike.NUMBER_WORDS for w in ws):
        return None
    n = parse_number(query)
    return str(int(n)) if n is not None and n == int(n) else None


def _channel_or_app_sounding_like(world: World, query: str) -> Optional[ContentMatch]:
    """A channel or app whose whole name sounds like the words ("sports to" is Sports Two),
    when it clearly beats every other name."""
    names: list[tuple[str, ContentMatch]] = [
        (" ".join(content_words(ch.name)) or ch.name, ContentMatch(ch.ref, ch.name, None, "channel"))
        for ch in world.catalog.channels(world.home.id)]
    names += [(" ".join(content_words(a.name)) or a.name, ContentMatch(f"app:{a.id}", a.name, None, "app"))
              for a in world.home.content.apps]
    scored = sorted(((soundalike.similarity(query, n), m) for n, m in names), key=lambda e: -e[0])
    if not scored or scored[0][0] < NAME_SURE:
        return None
    best = scored[0][1]
    runner = next((s for s, m in scored[1:] if m.ref != best.ref), 0.0)
    return best if runner <= scored[0][0] - soundalike.MARGIN else None


def _content_vocabulary(world: World) -> set[str]:
    """Words and names the home's content is called by: apps, channels and their groups,
    on-demand titles, and the guide's programmes and categories over the next day."""
    names: list[str] = [a.name for a in world.home.content.apps] + list(SYNONYMS)
    catalog = world.catalog
    if catalog is not None:
        home_id = world.home.id
        for ch in catalog.channels(home_id):
            names += [ch.name, ch.group or ""]
        try:
            names += [v.title for v in catalog.vod_titles(home_id)]
            for hours in GUIDE_HOURS:
                for listing in catalog.at(home_id, world.now + timedelta(hours=hours)):
                    names += [listing.programme.title, *listing.programme.categories]
        except Exception:  # noqa: BLE001 - without a guide or shelf there are fewer words, that is all
            pass
    vocab: set[str] = set()
    for n in dict.fromkeys(names):
        ws = content_words(n)
        vocab.update(w for w in ws if len(w) > 1)
        if 1 < len(ws) <= soundalike.MAX_WINDOW:
            vocab.add(" ".join(ws))  # a name heard as one word or split differently: "kidstv"
    return vocab


def _content_heard(world: World, query: str) -> Optional[Union[ContentMatch, Refusal]]:
    if world.catalog is None and not world.home.content.apps:
        return None
    heard = heard_alternatives(query.split(), _content_vocabulary(world))
    if heard is None:
        return None
    fixes, readings = heard

    def resolve(reading: Reading) -> list[tuple[ContentMatch, str]]:
        # Only a match named by the corrected words counts, not whatever the search finds for
        # them: "ten" must find a title with "ten" in it, not one starting "tennis".
        match, name = _content_named_by(world, " ".join(reading.words))
        if match is None:
            return []
        said = {_spoken(w) for w in content_words(name) + content_words(match.title)}
        return [(match, name)] if all(_spoken(w) in said for w in reading.meant) else []

    def title(found: tuple[ContentMatch, str]) -> str:
        match, name = found
        return match.title if not name or name == match.title else f"{name} on {match.title}"

    found = resolve_heard(fixes, readings, resolve, lambda f: f[0].ref, title, lambda f, _: f[0].title)
    return found[0][0] if isinstance(found, list) else found


def describe(world: World, ref: str) -> list[str]:
    """Words that describe what a panel or screen shows: names, genres, the programme on now."""
    kind, _, ident = ref.partition(":")
    out = [kind]
    catalog = world.catalog
    if kind == "app":
        app = next((a for a in world.home.content.apps if a.id == ident), None)
        return out + (content_words(app.name) if app else [ident])
    if catalog is None:
        return out + content_words(ident.replace("-", " "))
    try:
        item = catalog.resolve(world.home.id, ref)
    except Exception:  # noqa: BLE001 - a panel showing something the catalogue lost still counts
        return out + content_words(ident.replace("-", " "))
    out += content_words(item.title)
    if kind == "programme":
        out += [c for cat in getattr(item, "categories", []) for c in content_words(cat)]
    if kind == "vod":
        out += content_words(getattr(item, "kind", "")) + [g for genre in getattr(item, "genres", [])
                                                            for g in content_words(genre)]
    if kind == "channel":
        out += content_words(getattr(item, "group", "") or "")
        try:
            for listing in catalog.at(world.home.id, world.now, channel=ident):
                out += content_words(listing.programme.title)
                out += [c for cat in listing.programme.categories for c in content_words(cat)]
        except Exception:  # noqa: BLE001 - no guide for this channel
            pass
        if any(w.startswith("sport") for w in out):
            out += ["match", "game"]  # what people call whatever sport is on
    return out


def _title_index(world: World) -> dict[str, ContentMatch]:
    """Every whole name the home's content goes by, as content words: apps, channels,
    on-demand titles and the programmes on now (which play on their channel)."""
    index: dict[str, ContentMatch] = {}

    def add(name: str, match: ContentMatch) -> None:
        key = " ".join(content_words(name))
        if key:
            index.setdefault(key, match)

    for app in world.home.content.apps:
        add(app.name, ContentMatch(f"app:{app.id}", app.name, None, "app"))
    catalog = world.catalog
    if catalog is None:
        return index
    home_id = world.home.id
    for v in catalog.vod_titles(home_id):
        add(v.title, ContentMatch(f"vod:{v.id}", v.title, v.rating, "vod"))
    for ch in catalog.channels(home_id):
        add(ch.name, ContentMatch(ch.ref, ch.name, None, "channel"))
    try:
        for listing in catalog.at(home_id, world.now):
            ch = listing.channel
            add(listing.programme.title, ContentMatch(ch.ref, ch.name, None, "channel"))
    except Exception:  # noqa: BLE001 - without a guide only the other names count
        pass
    return index


def titles_in(world: World, text: str) -> list[tuple[int, int, ContentMatch]]:
    """Whole titles said in the words, as (start, end) positions in `words(text)`, longest
    first where they overlap: "play turn off the lights" holds the film "Turn Off The Lights"."""
    index = _title_index(world)
    ws = words(text)
    keyed = [(i, SYNONYMS.get(w, w)) for i, w in enumerate(ws) if w not in FILLER]
    found: list[tuple[int, int, ContentMatch]] = []
    a = 0
    while a < len(keyed):
        for b in range(len(keyed), a, -1):
            match = index.get(" ".join(k for _, k in keyed[a:b]))
            if match is not None:
                found.append((keyed[a][0], keyed[b - 1][0] + 1, match))
                a = b
                break
        else:
            a += 1
    return found
