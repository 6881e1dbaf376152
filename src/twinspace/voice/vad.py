"""Where speech starts and ends, frame by frame: the Silero VAD model that faster-whisper
ships (ONNX), run as a stream with its recurrent state carried between 32 ms windows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from twinspace.voice.audio import SPEECH_RATE

WINDOW = 512  # samples per VAD step at 16 kHz (32 ms): the model's own unit
CONTEXT = 64  # samples of the previous window the model sees


class StreamingVad:
    """Speech probabilities for consecutive 32 ms windows of a 16 kHz stream."""

    def __init__(self) -> None:
        from twinspace.voice import faster_whisper

        self._session = faster_whisper().vad.get_vad_model().session  # shared, stateless; the state lives here
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def feed(self, samples: np.ndarray) -> list[float]:
        """One probability per complete window now available."""
        self._pending = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        out = []
        while len(self._pending) >= WINDOW:
            window, self._pending = self._pending[:WINDOW], self._pending[WINDOW:]
            batch = np.concatenate([self._context, window])[None, :]
            prob, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
            self._context = window[-CONTEXT:]
            out.append(float(np.asarray(prob).reshape(-1)[0]))
        return out


@dataclass(frozen=True)
class Mark:
    """A turn point in the stream, at `sample` (counted from the start of the stream)."""

    kind: str  # "start" | "pause" | "resume" | "end"
    sample: int


class Endpointer:
    """Speech start, a pause that may be the end, and the end, from window probabilities.

    "pause" comes after `pause_ms` of quiet following speech so that work on the utterance
    can start while the silence is confirmed; "resume" cancels it; "end" confirms it after
    `silence_ms` of quiet. Hysteresis (on above `threshold`, off below `threshold - 0.15`)
    keeps a word's soft ending from splitting it.
    """

    def __init__(self, *, threshold: float = 0.5, silence_ms: int = 500, min_speech_ms: int = 96,
                 pause_ms: int = 64) -> None:
        self.vad = StreamingVad()
        self.on, self.off = threshold, threshold - 0.15
        self.silence_windows = max(1, silence_ms * SPEECH_RATE // 1000 // WINDOW)
        self.min_speech_windows = max(1, min_speech_ms * SPEECH_RATE // 1000 // WINDOW)
        # Quiet inside words (stop consonants) is shorter than this; a pause has to outlast it.
        self.pause_windows = min(self.silence_windows, max(1, pause_ms * SPEECH_RATE // 1000 // WINDOW))
        self.samples = 0  # samples consumed by the VAD so far
        self.reset()

    def reset(self) -> None:
        self.speaking = False
        self._loud = 0
        self._quiet = 0
        self.speech_start: Optional[int] = None
        self.speech_end: Optional[int] = None

    @property
    def loud(self) -> bool:
        """Speech is going on and the last window was not quiet."""
        return self.speaking and self._quiet == 0

    def feed(self, samples: np.ndarray) -> list[Mark]:
        marks = []
        for p in self.vad.feed(samples):
            self.samples += WINDOW
            if not self.speaking:
                self._loud = self._loud + 1 if p >= self.on else 0
                if self._loud >= self.min_speech_windows:
                    self.speaking, self._quiet = True, 0
                    self.speech_start = self.samples - self._loud * WINDOW
                    marks.append(Mark("start", self.speech_start))
                continue
            if p >= self.off:
                if self._quiet >= self.pause_windows:
                    marks.append(Mark("resume", self.samples))
                self._quiet = 0
                continue
            self._quiet += 1
            if self._quiet == self.pause_windows:
                self.speech_end = self.samples - self._quiet * WINDOW
                marks.append(Mark("pause", self.speech_end))
            if self._quiet >= self.silence_windows:
                marks.append(Mark("end", self.speech_end or self.samples))
                self.speaking, self._loud, self._quiet = False, 0, 0
        return marks
