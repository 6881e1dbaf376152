"""Load the speech models and the assistant's model while the hub starts, not on the first turn."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

log = logging.getLogger("twinspace.voice")


def warm(data_dir: Path) -> None:
    from twinspace.assistant.service import load_model
    from twinspace.voice.speech_in import shared_transcriber
    from twinspace.voice.speech_out import shared_synthesizer
    from twinspace.voice.vad import StreamingVad

    try:
        load_model(data_dir)
        shared_transcriber()
        shared_synthesizer()
        StreamingVad()
        log.info("voice and assistant models loaded")
    except Exception as e:  # noqa: BLE001 - a model that fails now fails again, with its error, when used
        log.warning("could not preload the models: %s", e)


def warm_in_background(data_dir: Path) -> threading.Thread:
    thread = threading.Thread(target=warm, args=(data_dir,), name="twinspace-warmup", daemon=True)
    thread.start()
    return thread
