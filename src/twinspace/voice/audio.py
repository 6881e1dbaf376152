"""PCM audio as the voice pipeline passes it around: 16-bit little-endian mono in bytes,
float32 in [-1, 1] in numpy, and WAV files."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import BinaryIO, Iterable, Union

import numpy as np

SPEECH_RATE = 16_000  # what Whisper and the VAD take


def pcm16_to_float(data: bytes) -> np.ndarray:
    if len(data) % 2:
        raise ValueError("audio frames must hold whole 16-bit samples (an even number of bytes)")
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def wav_bytes(pcm: Union[bytes, Iterable[bytes]], sample_rate: int) -> bytes:
    """A complete mono 16-bit WAV file holding `pcm`."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        for chunk in [pcm] if isinstance(pcm, bytes) else pcm:
            w.writeframes(chunk)
    return out.getvalue()


def read_audio(source: Union[str, Path, BinaryIO]) -> np.ndarray:
    """Any file ffmpeg's libraries read (WAV, MP3, OGG, WebM, FLAC…), as 16 kHz mono float32.

    Raises ValueError with the reason when the data is not audio."""
    from twinspace.voice import faster_whisper

    try:
        return faster_whisper().decode_audio(source if not isinstance(source, Path) else str(source), sampling_rate=SPEECH_RATE)
    except Exception as e:  # noqa: BLE001 - PyAV raises many kinds; all mean "not audio we can read"
        reason = getattr(e, "strerror", None) or str(e)
        raise ValueError(f"cannot read it as audio ({reason})") from e
