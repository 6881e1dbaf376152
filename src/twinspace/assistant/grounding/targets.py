"""Target grounding: the panel, or the device with something on it, that the words point at.

Without words, the spec's default: the panel looked at, else the only (or latest) playing one.
"""

from __future__ import annotations

from typing import Optional, Union

from twinspace.assistant.grounding.content import describe
from twinspace.assistant.grounding.devices import find_devices
from twinspace.assistant.grounding.hearing import Reading, heard_alternatives, resolve_heard
from twinspace.assistant.grounding.world import (DEICTIC, SCREEN_WORDS, SIDE_WORDS, Refusal, World, content_words,
                                                 similar, words)


def playing_targets(world: World) -> list[str]:
    """Panels and devices with something playing, most recently started first."""
    home = world.home
    targets = [t for t, p in home.playback.items() if p.playing]
    order = {p.id: i for i, p in enumerate(home.panels)}
    return sorted(targets, key=lambda t: -order.get(t, -1))


def default_target(world: World) -> Union[str, Refusal]:
    """The spec's rule: the panel looked at, else the only (or latest) playing target."""
    if world.focus and (world.home.panel(world.focus) or world.focus in world.home.playback):
        return world.focus
    playing = playing_targets(world)
    if len(playing) == 1:
        return playing[0]
    panels = [p.id for p in world.home.panels if p.id in world.home.playback]
    if len(panels) == 1:
        return panels[0]
    if not playing:
        return Refusal("nothing is playing right now")
    # Several play: the request itself may name one ("set the volume of the news to 20").
    named = _target_by_words(world, content_words(world.utterance), threshold=1.0) if world.utterance else None
    if named is not None:
        return named
    return Refusal("several things are playing; say which one, e.g. \"pause the news\"")


def _target_by_words(world: World, ws: list[str], threshold: float) -> Optional[str]:
    """The one playing target whose description contains one of the words exactly."""
    found = set()
    for target in playing_targets(world):
        panel = world.home.panel(target)
        ref = panel.content if panel else world.home.playback[target].content
        desc = set(describe(world, ref))
        if any(w in desc and w not in ("channel", "vod", "app", "tv") for w in ws):
            found.add(target)
    return found.pop() if len(found) == 1 else None


def find_target(world: World, text: Optional[str], *, panels_only: bool = False) -> Union[str, Refusal]:
    """A panel (or a device with something on it) that the words point at."""
    if text is None or " ".join(words(text)) in DEICTIC or not content_words(text):
        return default_target(world)
    ws = content_words(text)
    home = world.home
    if not panels_only and set(ws) & SCREEN_WORDS | {"speaker", "soundbar"} & set(ws):
        dev = find_devices(world, text)
        if isinstance(dev, list) and len(dev) == 1:
            return dev[0].id
    side = next((SIDE_WORDS[w] for w in ws if w in SIDE_WORDS), None)
    scored = _target_scores(world, ws, side, panels_only)
    if not scored or scored[0][0] < 0.6:
        heard = _target_heard(world, ws, side, panels_only)
        if heard is not None:
            return heard
        what = " ".join(words(text))
        return Refusal(f"nothing open matches {what!r}" if home.panels or home.playback
                       else "nothing is open or playing right now")
    if len(scored) > 1 and scored[1][0] >= scored[0][0] - 1e-9:
        names = " or ".join(t for _, t in scored[:2])
        return Refusal(f"{' '.join(words(text))!r} could be {names}; which one?")
    return scored[0][1]


def _target_candidates(world: World, panels_only: bool) -> list[tuple[str, set[str]]]:
    """Panels (and, unless panels only, devices playing something) with what describes them."""
    home = world.home
    candidates: list[str] = [p.id for p in home.panels]
    if not panels_only:
        candidates += [t for t in home.playback if home.panel(t) is None]
    out = []
    for target in candidates:
        panel = home.panel(target)
        out.append((target, set(describe(world, panel.content if panel else home.playback[target].content))))
    return out


def _target_scores(world: World, ws: list[str], side: Optional[str], panels_only: bool) -> list[tuple[float, str]]:
    scored: list[tuple[float, str]] = []
    for target, desc in _target_candidates(world, panels_only):
        panel = world.home.panel(target)
        score = sum(1.0 if w in desc else max((similar(w, d) for d in desc), default=0) * 0.8
                    for w in ws if w not in SIDE_WORDS) / max(1, len([w for w in ws if w not in SIDE_WORDS]))
        if side and panel is not None and world.viewer is not None:
            score += 1.0 if world.viewer.side_of(panel.pose.position) == side else -1.0
        if target == world.focus:
            score += 0.05
        scored.append((score, target))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return scored


def _target_heard(world: World, ws: list[str], side: Optional[str], panels_only: bool) -> Optional[Union[str, Refusal]]:
    """The open thing misheard words describe ("pause the foot all"), when one clearly is."""
    candidates = _target_candidates(world, panels_only)
    if not candidates:
        return None
    vocab = {w for _, desc in candidates for w in desc if w not in ("channel", "vod", "app")}
    heard = heard_alternatives(ws, vocab, keep=set(SIDE_WORDS) | SCREEN_WORDS)
    if heard is None:
        return None
    fixes, readings = heard

    def resolve(reading: Reading) -> list[str]:
        scored = _target_scores(world, reading.words, side, panels_only)
        if not scored or scored[0][0] < 0.6:
            return []
        return [t for s, t in scored if s >= scored[0][0] - 1e-9]

    def name(target: str) -> str:
        return f"panel {target}" if world.home.panel(target) else target

    # A panel is named by the words that found it ("the football"), not by its id.
    found = resolve_heard(fixes, readings, resolve, lambda t: t, name, lambda _, r: " ".join(r.words))
    return found[0] if isinstance(found, list) else found
