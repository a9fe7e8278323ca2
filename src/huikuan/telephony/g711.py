"""G.711 μ-law and A-law (ITU-T G.711), vectorised with numpy through 64 Ki-entry tables.

Written here because `audioop` is deprecated (removed in Python 3.13); the tests check these
tables against `audioop` where it can still be imported.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 8000
FRAME_SAMPLES = 160  # 20 ms
Pcm = npt.NDArray[np.int16]


def _ulaw_encode(x: npt.NDArray[np.int32]) -> npt.NDArray[np.uint8]:
    # The Sun reference coder (as in audioop): 14-bit magnitude, bias 33, clip at 8159.
    sign = np.where(x < 0, 0x00, 0x80)
    mag = np.minimum(np.where(x < 0, -(x >> 2), x >> 2), 8159) + 0x21
    raw = np.floor(np.log2(mag)).astype(np.int32) - 5
    exponent = np.minimum(raw, 7)
    mantissa = np.where(raw > 7, 0x0F, (mag >> (exponent + 1)) & 0x0F)
    out: npt.NDArray[np.uint8] = ((sign | (exponent << 4) | mantissa) ^ 0x7F).astype(np.uint8)
    return out


def _alaw_encode(x: npt.NDArray[np.int32]) -> npt.NDArray[np.uint8]:
    sign = np.where(x >= 0, 0x80, 0x00)
    mag = np.minimum(np.where(x < 0, -x - 1, x), 32767) >> 3  # 13-bit magnitude
    exponent = np.where(mag < 32, 0, np.floor(np.log2(np.maximum(mag, 1))).astype(np.int32) - 4)
    mantissa = np.where(exponent == 0, mag >> 1, mag >> exponent) & 0x0F
    out: npt.NDArray[np.uint8] = ((sign | (exponent << 4) | mantissa) ^ 0x55).astype(np.uint8)
    return out


def _ulaw_decode(b: npt.NDArray[np.int32]) -> npt.NDArray[np.int16]:
    u = ~b & 0xFF
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    mag = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(u & 0x80, -mag, mag).astype(np.int16)


def _alaw_decode(b: npt.NDArray[np.int32]) -> npt.NDArray[np.int16]:
    a = b ^ 0x55
    exponent = (a >> 4) & 0x07
    mantissa = a & 0x0F
    mag = np.where(
        exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0)
    )
    return np.where(a & 0x80, mag, -mag).astype(np.int16)


_ALL = np.arange(-32768, 32768, dtype=np.int32)
_BYTES = np.arange(256, dtype=np.int32)
ULAW_ENCODE = _ulaw_encode(_ALL)
ALAW_ENCODE = _alaw_encode(_ALL)
ULAW_DECODE = _ulaw_decode(_BYTES)
ALAW_DECODE = _alaw_decode(_BYTES)
ULAW_SILENCE = bytes([0xFF]) * FRAME_SAMPLES
ALAW_SILENCE = bytes([0xD5]) * FRAME_SAMPLES


def encode(pcm: Pcm, payload_type: int) -> bytes:
    """16-bit linear PCM (8 kHz) → G.711 bytes; payload type 0 is μ-law, 8 is A-law."""
    table = ULAW_ENCODE if payload_type == 0 else ALAW_ENCODE
    return table[pcm.astype(np.int32) + 32768].tobytes()


def decode(data: bytes, payload_type: int) -> Pcm:
    """G.711 bytes → 16-bit linear PCM (8 kHz)."""
    table = ULAW_DECODE if payload_type == 0 else ALAW_DECODE
    return table[np.frombuffer(data, dtype=np.uint8)]


def silence(payload_type: int) -> bytes:
    return ULAW_SILENCE if payload_type == 0 else ALAW_SILENCE


PCMU_PT, PCMA_PT = 0, 8
