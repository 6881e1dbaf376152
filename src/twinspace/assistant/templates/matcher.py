"""Home Assistant's sentence templates, matched against the live home.

Run the way HA's default conversation agent runs them: the language's intents from
`home-assistant-intents` (plus twinspace's own sentences in `sentences/<lang>.yaml`, HA's
custom-sentence format), slot lists built from the home for each turn — `name` = device
names and what people call their kind, `area` = rooms — and the speaker's room as the
intent context, so "lights off" means the lights here. `recognize_best` ranks a match
naming a device above one naming only a kind. hassil (3.x) has no fuzzy matching; words
the templates do not cover go to the model layer instead.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Optional

import yaml
from hassil import Intents, recognize_best
from hassil.intents import TextSlotList
from hassil.recognize import RecognizeResult
from home_assistant_intents import get_intents

from twinspace.assistant import device_control as dc
from twinspace.home.model import Device, Home

LANGUAGES = ("en", "ko")  # languages whose sentences twinspace maps; others fall to the model (English only)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")

# HA's domains for twinspace's kinds: templates choose sentences by domain.
DOMAINS = {"light": "light", "tv": "media_player", "speaker": "media_player", "plug": "switch", "other": "switch"}


def language_of(text: str) -> str:
    """The template language of an utterance: Korean when written in Hangul, else English."""
    return "ko" if _HANGUL.search(text) else "en"


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """HA's merge of custom sentences: intents' data lists are added to, other keys replaced."""
    out = dict(base)
    out["intents"] = {k: {"data": list(v.get("data", []))} for k, v in base.get("intents", {}).items()}
    for name, intent in (extra.get("intents") or {}).items():
        out["intents"].setdefault(name, {"data": []})["data"].extend(intent.get("data", []))
    for key in ("lists", "expansion_rules"):
        out[key] = {**base.get(key, {}), **(extra.get(key) or {})}
    out["skip_words"] = list(base.get("skip_words", [])) + list(extra.get("skip_words") or [])
    responses = base.get("responses", {})
    added = extra.get("responses") or {}
    out["responses"] = {
        "errors": {**responses.get("errors", {}), **(added.get("errors") or {})},
        "intents": {name: {**responses.get("intents", {}).get(name, {}), **(added.get("intents") or {}).get(name, {})}
                    for name in set(responses.get("intents", {})) | set(added.get("intents") or {})},
    }
    return out


# The intents twinspace acts on (see `intents.HANDLERS`); matching only these keeps a turn fast,
# and the rest (timers, weather, covers) would go to the model layer anyway.
INTENTS = frozenset({"HassTurnOn", "HassTurnOff", "HassLightSet", "TwinspaceLightStep", "HassMediaPause",
                     "HassMediaUnpause", "HassSetVolume", "HassSetVolumeRelative", "HassMediaPlayerMute",
                     "HassMediaPlayerUnmute", "HassMediaSearchAndPlay", "HassNevermind",
                     "TwinspaceWatchTogether", "TwinspaceWatchApart"})


@functools.lru_cache(maxsize=None)
def _language(language: str) -> dict[str, Any]:
    """HA's data for the language with twinspace's sentences and responses added."""
    data = get_intents(language)
    if data is None:
        raise ValueError(f"home-assistant-intents has no sentences for language {language!r}")
    ours = resources.files(__package__).joinpath("sentences", f"{language}.yaml")
    if ours.is_file():
        data = _merge(data, yaml.safe_load(ours.read_text(encoding="utf-8")) or {})
    data["intents"] = {name: intent for name, intent in data["intents"].items() if name in INTENTS}
    return data


@functools.lru_cache(maxsize=None)
def intents_for(language: str) -> Intents:
    """The language's intents, parsed once per process."""
    return Intents.from_dict(_language(language))


def responses_for(language: str) -> dict[str, Any]:
    """The language's response templates: `errors` and `intents` (by response key)."""
    return _language(language).get("responses", {})


def warm(language: str = "en") -> None:
    """Parse every template of the language now (hassil parses lazily), so no turn waits for it."""
    intents = intents_for(language)
    for intent in intents.intents.values():
        for data in intent.data:
            assert data.sentences is not None
    recognize_best("turn on the lights", intents,
                   slot_lists={"name": _empty("name"), "area": _empty("area"), "floor": _empty("floor")})


def _empty(name: str) -> TextSlotList:
    return TextSlotList(name=name, values=[])


# --- slot lists from the home ------------------------------------------------------------

def device_phrases(home: Home, device: Device) -> list[str]:
    """What a device is called: its name, its name without its room's ("pendant" for "Kitchen
    pendant"), and the words for its kind ("tv", "plug", "media player")."""
    room = next(r for r in home.rooms if any(d.id == device.id for d in r.devices))
    phrases = [device.name]
    if device.name.lower().startswith(room.name.lower() + " "):
        phrases.append(device.name[len(room.name) + 1:])
    if dc.kind_of(device) == "plug":  # "the kettle" is the kettle's plug
        phrases.append(dc.without_kind_words(device.name))
    phrases += [w for w in dc.kind_words(device) if w not in dc.PLURAL_KINDS and device.kind != "light"]
    if device.kind == "light":  # "the lamp" is one light; "the lights" is HA's domain sentence
        phrases += [w for w in ("lamp", "light") if w in device.name.lower()]
    return list(dict.fromkeys(p.strip() for p in phrases if p.strip()))


def slot_lists(home: Home) -> dict[str, TextSlotList]:
    """`name` values are the phrase as said (several devices may answer to it), with the
    device's HA domain as context; `area` values are room ids."""
    names: dict[str, set[str]] = {}
    for _, device in home.devices():
        if device.kind in ("headset", "glasses"):
            continue
        for phrase in device_phrases(home, device):
            names.setdefault(phrase.lower(), set()).add(DOMAINS[dc.kind_of(device)])
    name_values = [(phrase, phrase, {"domain": domain}) for phrase, domains in sorted(names.items())
                   for domain in sorted(domains)]
    areas = [(r.name, r.id) for r in home.rooms]
    return {"name": TextSlotList.from_tuples(name_values, allow_template=False, name="name"),
            "area": TextSlotList.from_tuples(areas, allow_template=False, name="area"),
            "floor": _empty("floor")}


@dataclass(frozen=True)
class Match:
    """A template match: the intent, its slot values, and the language it was said in."""

    intent: str
    slots: dict[str, Any]
    texts: dict[str, str]  # the words each slot matched
    language: str
    result: RecognizeResult

    def describe(self) -> str:
        return " ".join([self.intent] + [f"{k}={v!r}" for k, v in sorted(self.slots.items())])


def _bare(result: RecognizeResult) -> bool:
    """HA turns a device on when only its name is said ("the floor lamp"); twinspace wants a verb,
    since a bare name is as often an answer or a question as a command."""
    sentence = result.intent_sentence.text if result.intent_sentence is not None else ""
    return re.sub(r"\[<the>\]|\{[a-z_:]+\}|\s", "", sentence) == ""


def recognize(text: str, home: Home, room: Optional[str], language: Optional[str] = None) -> Optional[Match]:
    """The best template match of `text` in this home, or None."""
    language = language or language_of(text)
    if language not in LANGUAGES:
        return None
    context: dict[str, Any] = {}
    here = home.room(room) if room else None
    if here is not None:
        context["area"] = {"value": here.id, "text": here.name}
    result = recognize_best(text, intents_for(language), slot_lists=slot_lists(home), intent_context=context,
                            language=language, best_slot_name="name")
    if result is None or _bare(result):
        return None
    slots = {name: e.value for name, e in result.entities.items()}
    texts = {name: (e.text or "").strip() for name, e in result.entities.items()}
    return Match(result.intent.name, slots, texts, language, result)
