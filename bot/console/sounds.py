"""The P1 alert: a short two-tone beep, generated as a WAV file (no binary in the repository)."""
from __future__ import annotations

import io
import math
import struct
import wave

RATE = 16_000


def _tone(freq: float, seconds: float, volume: float = 0.5) -> bytes:
    count = int(RATE * seconds)
    fade = int(RATE * 0.01)   # 10 ms ramps: no clicks
    frames = bytearray()
    for i in range(count):
        ramp = min(1.0, i / fade, (count - i) / fade)
        frames += struct.pack("<h", int(32767 * volume * ramp * math.sin(2 * math.pi * freq * i / RATE)))
    return bytes(frames)


def alert_wav() -> bytes:
    silence = b"\x00\x00" * int(RATE * 0.08)
    pcm = _tone(880, 0.18) + silence + _tone(660, 0.18) + silence + _tone(880, 0.18)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)
    return out.getvalue()
