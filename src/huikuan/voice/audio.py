"""The audio every voice stage speaks: 8 kHz, 16-bit, mono PCM in 20 ms frames of 160 samples.

This is what G.711 carries, so the carrier (telephony) encodes frames as they come and no
stage resamples on the hot path. WAV is read and written with the standard `wave` module;
espeak-ng's `--stdout` stream has placeholder chunk sizes, so `parse_wav` walks the chunks
itself and takes the rest of the stream as data.
"""

from __future__ import annotations

import io
import struct
import uuid
import wave
from collections.abc import Iterator
from math import gcd
from pathlib import Path

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 8000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000  # 160
FRAME_BYTES = FRAME_SAMPLES * 2

Pcm = npt.NDArray[np.int16]


class AudioError(ValueError):
    """Audio that cannot be read as PCM WAV."""


def empty() -> Pcm:
    return np.zeros(0, dtype=np.int16)


def silence(ms: int, rate: int = SAMPLE_RATE) -> Pcm:
    return np.zeros(rate * ms // 1000, dtype=np.int16)


def as_pcm(data: bytes | Pcm) -> Pcm:
    """Little-endian int16 bytes or an int16 array, as an int16 array."""
    if isinstance(data, bytes | bytearray | memoryview):
        return np.frombuffer(bytes(data), dtype="<i2").astype(np.int16)
    return np.asarray(data, dtype=np.int16)


def resample(pcm: Pcm, from_rate: int, to_rate: int) -> Pcm:
    """Polyphase resampling with its anti-aliasing filter (scipy), clipped back to int16."""
    if from_rate == to_rate or len(pcm) == 0:
        return np.asarray(pcm, dtype=np.int16)
    from scipy.signal import resample_poly  # imported here: scipy is slow to load for every CLI start

    g = gcd(from_rate, to_rate)
    out = np.asarray(resample_poly(pcm.astype(np.float32), to_rate // g, from_rate // g), dtype=np.float64)
    return np.clip(np.rint(out), -32768, 32767).astype(np.int16)


def frames(pcm: Pcm) -> Iterator[Pcm]:
    """20 ms frames of `pcm`; the last one is padded with silence."""
    for start in range(0, len(pcm), FRAME_SAMPLES):
        chunk = pcm[start : start + FRAME_SAMPLES]
        if len(chunk) < FRAME_SAMPLES:
            chunk = np.concatenate([chunk, np.zeros(FRAME_SAMPLES - len(chunk), dtype=np.int16)])
        yield chunk


def frame_bytes(pcm: Pcm) -> list[bytes]:
    """20 ms frames as little-endian bytes (320 each), ready for a G.711 encoder."""
    return [f.astype("<i2").tobytes() for f in frames(pcm)]


def parse_wav(data: bytes) -> tuple[Pcm, int]:
    """Mono 16-bit PCM samples and the rate of a RIFF/WAVE byte string (sizes may be bogus)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("not a RIFF/WAVE stream")
    pos, rate, channels, bits = 12, 0, 0, 0
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = pos + 8
        if cid == b"fmt ":
            fmt, channels, rate = struct.unpack("<HHI", data[body : body + 8])
            bits = struct.unpack("<H", data[body + 14 : body + 16])[0]
            if fmt != 1 or bits != 16:
                raise AudioError(f"unsupported WAV format {fmt}/{bits} bits")
        elif cid == b"data":
            if not rate:
                raise AudioError("WAV data before its format chunk")
            raw = data[body : body + size] if body + size <= len(data) else data[body:]
            raw = raw[: len(raw) - len(raw) % (2 * channels)]
            pcm = np.frombuffer(raw, dtype="<i2").astype(np.int16)
            if channels > 1:
                pcm = pcm.reshape(-1, channels)[:, 0].copy()
            return pcm, rate
        pos = body + size + (size & 1)
    raise AudioError("WAV without a data chunk")


def read_wav(path: Path) -> tuple[Pcm, int]:
    return parse_wav(path.read_bytes())


def wav_bytes(pcm: Pcm, rate: int = SAMPLE_RATE) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(pcm, dtype="<i2").tobytes())
    return buf.getvalue()


def write_wav(path: Path, pcm: Pcm, rate: int = SAMPLE_RATE) -> None:
    """Write mono WAV atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")  # two writers never share one
    tmp.write_bytes(wav_bytes(pcm, rate))
    tmp.replace(path)
