"""Where speech starts and ends, found frame by frame."""

import numpy as np
from hypothesis import given, settings, strategies as st

from voice_helpers import padded, piper, sox
from twinspace.voice.audio import SPEECH_RATE
from twinspace.voice.vad import WINDOW, Endpointer, StreamingVad


def marks_for(audio: np.ndarray, frame: int = 640, **kwargs) -> list:
    e = Endpointer(**kwargs)
    return [m for i in range(0, len(audio), frame) for m in e.feed(audio[i:i + frame])]


def test_start_and_end_are_found_near_the_speech() -> None:
    speech = piper("turn off the floor lamp")
    audio = padded(speech, before=1.0, after=1.0)
    marks = marks_for(audio)
    kinds = [m.kind for m in marks]
    assert kinds[0] == "start" and kinds[-1] == "end" and kinds.count("start") == 1 and kinds.count("end") == 1
    voiced = np.flatnonzero(np.abs(audio) > 0.02)
    first, last = voiced[0] / SPEECH_RATE, voiced[-1] / SPEECH_RATE
    assert abs(marks[0].sample / SPEECH_RATE - first) < 0.25
    assert abs(marks[-1].sample / SPEECH_RATE - last) < 0.3
    # A pause is announced before every end, at the same sample: work on the utterance starts there.
    pauses = [m for m in marks if m.kind == "pause"]
    assert pauses and pauses[-1].sample == marks[-1].sample


def test_end_waits_for_the_silence() -> None:
    audio = padded(piper("pause the news"), before=0.5, after=0.3)  # less quiet than the 500 ms asked for
    assert "end" not in [m.kind for m in marks_for(audio, silence_ms=500)]
    assert "end" in [m.kind for m in marks_for(audio, silence_ms=200)]


def test_silence_and_hiss_are_not_speech() -> None:
    silence = np.zeros(SPEECH_RATE * 3, np.float32)
    assert marks_for(silence) == []
    hiss = sox(silence, noise=0.05)
    assert marks_for(hiss) == []


def test_two_requests_make_two_turns() -> None:
    audio = np.concatenate([padded(piper("turn off the lamp")), padded(piper("pause the news"))])
    kinds = [m.kind for m in marks_for(audio)]
    assert kinds.count("start") == 2 and kinds.count("end") == 2


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=40))
def test_frame_sizes_do_not_change_the_answer(sizes) -> None:
    """The client may send frames of any length: the probabilities are the same."""
    audio = padded(piper("turn off the lamp"), before=0.2, after=0.2)
    whole = StreamingVad().feed(audio)
    vad, got, pos = StreamingVad(), [], 0
    for size in sizes * (len(audio) // sum(sizes) + 1):
        got += vad.feed(audio[pos:pos + size])
        pos += size
        if pos >= len(audio):
            break
    assert len(got) == len(audio) // WINDOW == len(whole)
    assert np.allclose(got, whole, atol=1e-5)

