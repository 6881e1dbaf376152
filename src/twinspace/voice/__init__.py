"""Voice on the hub: speech in (Whisper tiny.en + Silero VAD), speech out (Piper), and the
streaming voice turn that joins them to the assistant. Nothing leaves the house: see docs/voice.md."""
