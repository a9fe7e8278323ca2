"""Voice activity on 8 kHz phone audio with noise: the call's webrtcvad gate vs silero VAD.

The 20 Mandarin debtor lines of tests/voice/debtor_lines.py (espeak-ng pinyin voice, variant m3,
G.711 μ-law) each sit between 1 s of silence before and after, with white noise added at a given
SNR (relative to the line's speech power). Truth per 20 ms frame: the clean line's frame is
louder than RMS 300. Each detector marks frames as speech:

- `webrtcvad`: the call path's `vad.is_voiced` (webrtcvad aggressiveness 2 behind the RMS floor
  of about -46 dBFS), and webrtcvad alone (aggressiveness 3, no floor);
- `silero`: the Silero VAD v6 ONNX model that ships inside the faster-whisper wheel (16 kHz, 32 ms
  windows; the 8 kHz audio is upsampled), probability ≥ 0.5; each 20 ms frame takes the window
  that holds its middle.

Reported per SNR: speech recall (speech frames marked speech) and false alarms (silence frames
marked speech), and the time per second of audio. One JSON line on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import webrtcvad

from huikuan.telephony import g711
from huikuan.voice.audio import FRAME_SAMPLES, Pcm, resample, silence
from huikuan.voice.tts import EspeakTts, MandarinTts
from huikuan.voice.vad import is_voiced

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: the debtor lines
LOUD_RMS = 300.0
SILERO_WINDOW = 512  # samples at 16 kHz: 32 ms


def _frames(pcm: Pcm) -> np.ndarray:
    n = len(pcm) // FRAME_SAMPLES
    return pcm[: n * FRAME_SAMPLES].reshape(n, FRAME_SAMPLES)


def _rms(frames: np.ndarray) -> np.ndarray:
    return np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))


def _noisy(clean: Pcm, snr_db: float, rng: np.random.Generator) -> Pcm:
    speech = clean[np.abs(clean.astype(np.int32)) > 0].astype(np.float64)
    power = float(np.mean(speech**2)) if len(speech) else 1.0
    sigma = np.sqrt(power / 10 ** (snr_db / 10))
    noisy = clean.astype(np.float64) + rng.normal(0.0, sigma, len(clean))
    return np.clip(noisy, -32768, 32767).astype(np.int16)


class Silero:
    """faster-whisper's bundled Silero VAD, run as faster-whisper runs it: 32 ms windows with 4 ms context."""

    def __init__(self) -> None:
        from faster_whisper.vad import SileroVADModel

        path = resources.files("faster_whisper") / "assets" / "silero_vad_v6.onnx"
        self.model = SileroVADModel(str(path))

    def frames(self, pcm: Pcm, n_frames: int) -> np.ndarray:
        audio = resample(pcm, 8000, 16000).astype(np.float32) / 32768.0
        pad = (-len(audio)) % SILERO_WINDOW
        audio = np.concatenate([audio, np.zeros(pad, dtype=np.float32)])
        probs = np.asarray(self.model(audio)).reshape(-1)
        middles = (np.arange(n_frames) * 20 + 10) * 16  # sample at 16 kHz in each frame's middle
        return np.asarray(probs[np.minimum(middles // SILERO_WINDOW, len(probs) - 1)] >= 0.5)


def run(snrs: list[float]) -> dict[str, Any]:
    from tests.voice.debtor_lines import ZH_DEBTOR_LINES

    debtor = MandarinTts(EspeakTts(), pinyin=EspeakTts(variant="m3", amplitude=40, words_per_minute=140))
    lines = []
    for text, _ in ZH_DEBTOR_LINES:
        speech = g711.decode(g711.encode(debtor.synthesize(text, "cmn"), g711.PCMU_PT), g711.PCMU_PT)
        lines.append(np.concatenate([silence(1000), speech, silence(1000)]))
    silero = Silero()
    rng = np.random.default_rng(11)
    out: dict[str, Any] = {"bench": "vad_compare", "lines": len(lines), "snr_db": {}}
    for snr in snrs:
        counts = {
            name: {"tp": 0, "fn": 0, "fp": 0, "tn": 0, "s": 0.0}
            for name in ("call_gate", "webrtc3", "silero")
        }
        audio_s = 0.0
        for clean in lines:
            noisy = _noisy(clean, snr, rng)
            truth = _rms(_frames(clean)) > LOUD_RMS
            frames = _frames(noisy)
            audio_s += len(frames) * 0.02
            decided: dict[str, np.ndarray] = {}
            vad2, vad3 = webrtcvad.Vad(2), webrtcvad.Vad(3)
            t = time.perf_counter()
            decided["call_gate"] = np.array([is_voiced(vad2, f) for f in frames])
            counts["call_gate"]["s"] += time.perf_counter() - t
            t = time.perf_counter()
            decided["webrtc3"] = np.array([vad3.is_speech(f.astype("<i2").tobytes(), 8000) for f in frames])
            counts["webrtc3"]["s"] += time.perf_counter() - t
            t = time.perf_counter()
            decided["silero"] = silero.frames(noisy, len(frames))
            counts["silero"]["s"] += time.perf_counter() - t
            for name, marks in decided.items():
                c = counts[name]
                c["tp"] += int(np.sum(marks & truth))
                c["fn"] += int(np.sum(~marks & truth))
                c["fp"] += int(np.sum(marks & ~truth))
                c["tn"] += int(np.sum(~marks & ~truth))
        out["snr_db"][str(snr)] = {
            name: {
                "speech_recall": round(c["tp"] / max(1, c["tp"] + c["fn"]), 3),
                "false_alarm": round(c["fp"] / max(1, c["fp"] + c["tn"]), 3),
                "ms_per_audio_s": round(1000 * c["s"] / audio_s, 2),
            }
            for name, c in counts.items()
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snr", type=float, nargs="+", default=[30.0, 20.0, 10.0])
    print(json.dumps(run(parser.parse_args().snr)))


if __name__ == "__main__":
    main()
