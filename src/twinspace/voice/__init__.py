"""Voice on the hub: speech in (Whisper tiny.en + Silero VAD), speech out (Piper), and the
streaming voice turn that joins them to the assistant. Nothing leaves the house: see docs/voice.md."""

from __future__ import annotations

import os
from types import ModuleType


def faster_whisper() -> ModuleType:
    """The faster_whisper package, its OpenMP runtime set to let idle threads sleep.

    CTranslate2 ships its own copy of OpenMP, which reads OMP_WAIT_POLICY once, when loaded.
    Left spinning, its idle threads starved llama.cpp's on a 2-core hub (a 0.5 s turn took
    15-35 s after a transcription); llama.cpp's own OpenMP keeps spinning, which makes its
    turns ~30% faster. So the setting applies only while CTranslate2 loads.
    """
    saved = os.environ.get("OMP_WAIT_POLICY")
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        import faster_whisper as module
    finally:
        if saved is None:
            del os.environ["OMP_WAIT_POLICY"]
        else:
            os.environ["OMP_WAIT_POLICY"] = saved
    return module
