"""Voice benchmark: speech-in speed, end of speech → first reply audio, and spoken accuracy.

    .venv/bin/python bench/voice.py [CASES.jsonl] [--latency-cases N] [--json]

On the same cases, in the same run:
- every utterance is spoken by the bundled Piper voice (without its random variation, so runs
  repeat) and transcribed by Whisper tiny.en with the case home's hot words: real-time factor;
- the assistant's accuracy on the text and on the transcripts (target: within 5 points);
- for the first N cases, the streaming voice turn is fed the audio in real time (40 ms frames,
  then silence) and the time from the end of speech to the first reply audio is measured,
  streaming (partials + work started at the pause) against transcribe-after-the-end.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from twinspace.actions.registry import Caller
from twinspace.assistant.assistant import Assistant
from twinspace.assistant.evaluation import Homes, load_cases, run_cases, viewer_of
from twinspace.assistant.runtime import PROFILES, LocalModel, resolve_model
from twinspace.content.services import ContentServices
from twinspace.voice.audio import SPEECH_RATE, float_to_pcm16, read_audio
from twinspace.voice.session import VoiceSession
from twinspace.voice.speech_in import Transcriber
from twinspace.voice.speech_out import Synthesizer
from twinspace.voice.vocabulary import hotwords_for

DEFAULT_CASES = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev-cases.jsonl"
FRAME = SPEECH_RATE * 40 // 1000


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else 0.0


def speak(synth: Synthesizer, text: str) -> np.ndarray:
    return read_audio(io.BytesIO(synth.wav(text, vary=False)))


def speech_end(audio: np.ndarray) -> int:
    """The last sample that is still speech (Piper ends sentences with near-silence)."""
    loud = np.flatnonzero(np.abs(audio) > 0.02)
    return int(loud[-1]) + 1 if len(loud) else len(audio)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SPEECH_RATE), np.float32)


async def time_one(session: VoiceSession, audio: np.ndarray, end_sample: int, first_audio: list[float]) -> float:
    """Feed `audio` at real-time pace; seconds from the end of speech to the first reply audio."""
    first_audio.clear()
    started = time.monotonic()
    ended_at = None
    for i in range(0, len(audio), FRAME):
        due = started + i / SPEECH_RATE
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        await session.audio(float_to_pcm16(audio[i:i + FRAME]))
        if ended_at is None and i + FRAME >= end_sample:
            ended_at = started + end_sample / SPEECH_RATE  # when the last of the speech was heard
        if first_audio:
            break
    deadline = time.monotonic() + 20
    while not first_audio and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    await session.wait()
    return (first_audio[0] - ended_at) if first_audio and ended_at else float("nan")


def latency(cases: list, spoken: dict[str, np.ndarray], homes: Homes, model: Any, asr: Transcriber,
            synth: Synthesizer, words: dict[Path, str]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"streaming": [], "after_end": []}
    for case in cases:
        for mode in ("streaming", "after_end"):  # interleaved, so machine load hits both alike
            hub = homes.hub_for(case)
            home_id = hub.home_ids()[0]
            v = case.viewer
            person = v.get("person")
            caller = Caller(home_id, person, v.get("device"),
                            "owner" if person == hub.home(home_id).owner_id() else "member")
            first: list[float] = []

            async def on_bytes(_: bytes, first: list[float] = first) -> None:
                if not first:
                    first.append(time.monotonic())

            async def on_json(_: dict[str, Any]) -> None:
                return None

            async def run() -> float:
                session = VoiceSession(Assistant(hub, model), home_id, caller, transcriber=asr, synthesizer=synth,
                                       send_json=on_json, send_bytes=on_bytes, streaming=mode == "streaming",
                                       hotwords=words[case.home])
                session.hello({"viewer": {"position": list(viewer_of(case).position),
                                          "yaw_deg": viewer_of(case).yaw_deg}, "room": v.get("room")})
                speech = spoken[case.id]
                audio = np.concatenate([silence(0.4), speech, silence(1.5)])
                return await time_one(session, audio, int(0.4 * SPEECH_RATE) + speech_end(speech), first)

            seconds = asyncio.run(run())
            out[mode].append(seconds)
            print(f"  {case.id:10s} {mode:9s} {seconds * 1000:6.0f} ms", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="?", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--latency-cases", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cases = load_cases(args.cases)

    data = Path(tempfile.mkdtemp(prefix="twinspace-bench-"))
    path, adapter = resolve_model("smollm2-135m", data)
    model = LocalModel(path, adapter=adapter, profile=PROFILES["headset"])
    asr, synth = Transcriber(), Synthesizer()
    homes = Homes(ContentServices)
    words = {}
    for case in cases:
        if case.home not in words:
            hub = homes.hub_for(case)
            words[case.home] = hotwords_for(hub, hub.home_ids()[0])

    print(f"Speaking and transcribing {len(cases)} cases ...", file=sys.stderr)
    spoken, heard, rtf, audio_s = {}, {}, [], []
    for case in cases:
        speech = speak(synth, case.utterance)
        spoken[case.id] = speech
        t = asr.transcribe(np.concatenate([silence(0.3), speech, silence(0.5)]), hotwords=words[case.home])
        heard[case.id] = t.text
        rtf.append(t.real_time_factor)
        audio_s.append(t.audio_seconds)

    print("Running the assistant on the text and on the transcripts ...", file=sys.stderr)
    text_report = run_cases(cases, model, services_factory=ContentServices)
    spoken_cases = [replace(c, utterance=heard[c.id] or "(nothing heard)") for c in cases]
    voice_report = run_cases(spoken_cases, model, services_factory=ContentServices)
    lost = [(t.case.id, t.case.utterance, heard[t.case.id]) for t, s in zip(text_report.results, voice_report.results)
            if t.passed and not s.passed]
    gained = [(t.case.id, t.case.utterance, heard[t.case.id])
              for t, s in zip(text_report.results, voice_report.results) if s.passed and not t.passed]

    n = min(args.latency_cases, len(cases))
    print(f"End of speech → first reply audio on {n} cases, in real time ...", file=sys.stderr)
    times = latency(cases[:n], spoken, homes, model, asr, synth, words)
    homes.close()

    exact = sum(" ".join(heard[c.id].lower().replace(",", "").replace(".", "").replace("?", "").split()) ==
                " ".join(c.utterance.lower().replace(",", "").replace(".", "").replace("?", "").split()) for c in cases)
    result = {
        "cases": len(cases),
        "speech_in": {"rtf_p50": round(statistics.median(rtf), 3), "rtf_p95": round(pct(rtf, 0.95), 3),
                      "rtf_total": round(sum(r * a for r, a in zip(rtf, audio_s)) / sum(audio_s), 3),
                      "audio_s_p50": round(statistics.median(audio_s), 2), "transcripts_exact": exact},
        "accuracy": {"text": text_report.passed, "spoken": voice_report.passed, "total": len(cases),
                     "gap_points": round(100 * (text_report.passed - voice_report.passed) / len(cases), 1),
                     "lost": lost, "gained": gained},
        "first_audio_ms": {mode: {"p50": round(statistics.median(v) * 1000), "p95": round(pct(v, 0.95) * 1000)}
                           for mode, v in times.items() if v},  # none with --latency-cases 0
    }
    first = result["first_audio_ms"]
    if n:
        first["ratio_p50"] = round(first["streaming"]["p50"] / first["after_end"]["p50"], 2) \
            if first["after_end"]["p50"] else None
    if args.json:
        print(json.dumps(result, indent=2))
        return
    si, acc = result["speech_in"], result["accuracy"]
    print(f"speech in (Whisper tiny.en int8): RTF p50 {si['rtf_p50']}, p95 {si['rtf_p95']}, overall "
          f"{si['rtf_total']} (target ≤ 0.25) over {len(cases)} utterances, median {si['audio_s_p50']} s; "
          f"{exact}/{len(cases)} transcripts word for word")
    print(f"accuracy: text {acc['text']}/{len(cases)}, spoken {acc['spoken']}/{len(cases)}: "
          f"{acc['gap_points']} points apart (target ≤ 5)")
    for verdict, rows in (("lost", lost), ("gained", gained)):
        for cid, said, got in rows:
            print(f"  {verdict} {cid}: said {said!r}, heard {got!r}")
    if not n:
        return
    s, b = first["streaming"], first["after_end"]
    print(f"end of speech → first reply audio over {n} cases (target p50 ≤ 1200 ms):")
    print(f"  streaming          p50 {s['p50']} ms, p95 {s['p95']} ms")
    print(f"  after-the-end      p50 {b['p50']} ms, p95 {b['p95']} ms")
    print(f"  ratio streaming/after-the-end p50: {first['ratio_p50']}")


if __name__ == "__main__":
    main()
