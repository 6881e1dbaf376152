"""Spoken commands for the voice tests: Piper and espeak-ng voices, sox for speed and noise."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from twinspace.voice.audio import SPEECH_RATE, float_to_pcm16, read_audio, wav_bytes
from twinspace.voice.speech_out import shared_synthesizer


@lru_cache(maxsize=64)
def piper(text: str, speed: float = 1.0) -> np.ndarray:
    """The bundled Piper voice saying `text`, as 16 kHz float32; without Piper's random
    variation, so that a test hears the same audio every run."""
    return read_audio(io.BytesIO(shared_synthesizer().wav(text, speed, vary=False)))


@lru_cache(maxsize=64)
def espeak(text: str, voice: str = "en-us", words_per_minute: int = 160) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "said.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(out), text], check=True)
        return read_audio(out)


def sox(samples: np.ndarray, *effects: str, noise: float = 0.0) -> np.ndarray:
    """Run sox effects (e.g. "tempo", "1.2") on the audio, mixing in white noise of that amplitude
    (the same noise every run: sox -R)."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        src.write_bytes(wav_bytes(float_to_pcm16(samples), SPEECH_RATE))
        if noise:
            hiss = Path(tmp) / "noise.wav"
            seconds = f"{len(samples) / SPEECH_RATE:.3f}"
            subprocess.run(["sox", "-R", "-n", "-r", str(SPEECH_RATE), "-c", "1", "-b", "16", str(hiss),
                            "synth", seconds, "whitenoise", "vol", str(noise)], check=True)
            mixed = Path(tmp) / "mixed.wav"
            subprocess.run(["sox", "-m", str(src), str(hiss), str(mixed)], check=True)
            src = mixed
        subprocess.run(["sox", str(src), str(out), *effects] if effects else ["sox", str(src), str(out)], check=True)
        return read_audio(out)


def padded(samples: np.ndarray, before: float = 0.5, after: float = 1.0) -> np.ndarray:
    """Speech with silence around it, as a microphone hears a request."""
    return np.concatenate([np.zeros(int(before * SPEECH_RATE), np.float32), samples,
                           np.zeros(int(after * SPEECH_RATE), np.float32)])


def frames(samples: np.ndarray, ms: int = 40) -> list[bytes]:
    pcm = float_to_pcm16(samples)
    size = SPEECH_RATE * ms // 1000 * 2
    return [pcm[i:i + size] for i in range(0, len(pcm), size)]


def plain(text: str) -> str:
    """Lower-case words only, for comparing transcripts."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))
