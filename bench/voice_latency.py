"""Voice latency: end of the debtor's turn (VAD) -> first reply frame ready; greeting first frame.

Each of the ~22 English debtor utterances (espeak-ng en-us, 8 kHz, in silence with line
noise) is fed frame by frame to the end-of-turn detector; when it declares the turn over,
the clock starts: pocketsphinx with the node's hints, a stub NLU/policy (phrase -> reply
text), espeak-ng for the reply (uncached: every reply is a fresh subprocess), first frame cut.
The detector only declares the end after `end_silence_ms` of silence, so the time from the
last spoken sound to the reply is that window plus the processing figure; both are printed.
The greeting is the recorded-prompt path with two TTS slots, cold (cache empty) and warm.
One JSON line on stdout.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np

from huikuan.voice.asr import PocketsphinxAsr
from huikuan.voice.audio import frame_bytes, frames, silence, write_wav
from huikuan.voice.phrases import EN_NODE_HINTS
from huikuan.voice.tts import CachedTts, EspeakTts, PromptRenderer
from huikuan.voice.vad import END_SILENCE_MS, EndOfTurnDetector

REPLIES = {
    "paid": "Thank you. We will check the payment and call you back if anything is missing.",
    "installments": "I understand. We can split the amount into installments. How many months do you need?",
    "other": "I see. Could you tell me when you will be able to pay?",
}


def _policy(text: str) -> str:
    """Stand-in for NLU and the dialogue policy: a keyword to a reply line."""
    if "paid" in text:
        return REPLIES["paid"]
    if "installments" in text or "job" in text:
        return REPLIES["installments"]
    return REPLIES["other"]


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)) * 1000, 1)


def main() -> None:
    tts, asr = EspeakTts(), PocketsphinxAsr()
    rng = np.random.default_rng(7)
    turn_ms: list[float] = []
    asr_ms: list[float] = []
    right = 0
    utterances = [(p, hints) for hints in EN_NODE_HINTS.values() for p in hints]
    for phrase, hints in utterances:
        speech = tts.synthesize(phrase, "en-us")
        signal = np.concatenate([silence(600), speech, silence(1200)]).astype(np.float64)
        line = np.clip(signal + rng.normal(0, 30, len(signal)), -32768, 32767).astype(np.int16)
        detector = EndOfTurnDetector()
        for frame in frames(line):
            turn = detector.push(frame)
            if turn is None:
                continue
            t0 = time.perf_counter()
            heard = asr.transcribe(turn.pcm, 8000, hints)
            t1 = time.perf_counter()
            reply = tts.synthesize(_policy(heard), "en-us")
            first = frame_bytes(reply[:160])[0]
            t2 = time.perf_counter()
            assert len(first) == 320
            asr_ms.append(t1 - t0)
            turn_ms.append(t2 - t0)
            right += heard == phrase.lower()
            break

    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "prompts"
        for i, text in enumerate(
            ["Hello", "this is an automated assistant calling about", "Please stay on the line."]
        ):
            write_wav(library / "en-us" / "greeting" / f"part-{i:02d}.wav", tts.synthesize(text, "en-us"))
        renderer = PromptRenderer(library, CachedTts(EspeakTts(), Path(tmp) / "cache"))
        template = (
            "Hello {name}, this is an automated assistant calling about {account}. Please stay on the line."
        )
        slots = {"name": "Mister Smith", "account": "your card account"}
        greeting = []
        for _ in range(2):  # cold cache, then warm
            t0 = time.perf_counter()
            pcm = renderer.render_prompt("greeting", template, slots, "en-us")
            frame_bytes(pcm[:160])
            greeting.append(round((time.perf_counter() - t0) * 1000, 1))

    print(
        json.dumps(
            {
                "bench": "voice_latency",
                "utterances": len(utterances),
                "turns_detected": len(turn_ms),
                "asr_exact": right,
                "turn_end_to_first_reply_frame_ms": {"p50": _pct(turn_ms, 50), "p95": _pct(turn_ms, 95)},
                "asr_ms": {"p50": _pct(asr_ms, 50), "p95": _pct(asr_ms, 95)},
                "end_silence_ms": END_SILENCE_MS,
                "speech_end_to_first_reply_frame_p95_ms": round(END_SILENCE_MS + _pct(turn_ms, 95), 1),
                "greeting_first_frame_ms": {"cold": greeting[0], "warm": greeting[1]},
            }
        )
    )


if __name__ == "__main__":
    main()
