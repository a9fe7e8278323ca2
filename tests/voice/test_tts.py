from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from huikuan.config import Settings
from huikuan.voice.audio import FRAME_BYTES, SAMPLE_RATE, Pcm, frame_bytes, write_wav
from huikuan.voice.tts import (
    CachedTts,
    EspeakTts,
    PromptRenderer,
    TtsError,
    register_tts,
    split_template,
    tts_engine,
    voice_for_dialect,
)

LINES = {
    "cmn": "您好，我是智能语音助理，来电提醒您的账单已经逾期。",
    "yue": "你好，我係智能語音助理，提提你張賬單已經逾期。",
    "hak": "你好，我係智能語音助理。",
    "en": "Hello, this is an automated assistant calling about your account.",
}


@pytest.mark.parametrize("dialect", sorted(LINES))
def test_espeak_renders_each_dialect_voice(dialect: str) -> None:
    pcm = EspeakTts().synthesize(LINES[dialect], voice_for_dialect(dialect))
    seconds = len(pcm) / SAMPLE_RATE
    assert pcm.dtype == np.int16
    assert 1.0 < seconds < 15.0
    assert float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) > 500


def test_voice_for_dialect_maps_debtor_dialects_and_defaults_to_mandarin() -> None:
    assert [voice_for_dialect(d) for d in ("cmn", "yue", "hak", "en", "EN")] == [
        "cmn",
        "yue",
        "hak",
        "en-us",
        "en-us",
    ]
    assert voice_for_dialect(None) == "cmn"
    assert voice_for_dialect("klingon") == "cmn"


def test_cache_hit_avoids_a_second_subprocess(tmp_path: Path) -> None:
    engine = EspeakTts()
    cached = CachedTts(engine, tmp_path / "cache")
    first = cached.synthesize("Your payment is due", "en-us")
    second = cached.synthesize("Your payment is due", "en-us")
    assert engine.calls == 1
    assert np.array_equal(first, second)
    cached.synthesize("Your payment is due", "cmn")
    assert engine.calls == 2
    assert cached.path_for("Your payment is due", "en-us").exists()


def test_missing_binary_is_a_clear_error() -> None:
    with pytest.raises(TtsError, match="could not run"):
        EspeakTts(binary="/nonexistent/espeak-ng").synthesize("hello", "en-us")


class FakeTts:
    """Half a second of a constant per text: shows which texts were synthesised, and where."""

    name = "fake"

    def __init__(self) -> None:
        self.texts: list[str] = []

    def synthesize(self, text: str, voice: str) -> Pcm:
        self.texts.append(text)
        return np.full(4000, 1000 + len(self.texts), dtype=np.int16)


def test_registry_plugs_an_engine_in_by_name(tmp_path: Path) -> None:
    fake = FakeTts()
    register_tts("fake-test", lambda s: fake)
    assert tts_engine("fake-test", Settings(data_dir=tmp_path), cached=False) is fake
    cached = tts_engine("fake-test", Settings(data_dir=tmp_path))
    assert isinstance(cached, CachedTts)
    assert cached.cache_dir == tmp_path / "tts-cache"
    with pytest.raises(TtsError, match="unknown TTS engine"):
        tts_engine("nope", Settings(data_dir=tmp_path))


def test_frames_are_20ms_of_16_bit_samples_last_one_padded() -> None:
    out = frame_bytes(np.ones(400, dtype=np.int16))
    assert [len(f) for f in out] == [FRAME_BYTES] * 3
    assert out[2][:160] == np.ones(80, dtype="<i2").tobytes()
    assert out[2][160:] == bytes(160)  # 80 samples of padding


def test_split_template() -> None:
    assert split_template("您好{name}，您欠款{amount}元。") == (
        ["您好", "，您欠款", "元。"],
        ["name", "amount"],
    )


def _library(root: Path, voice: str, line: str, parts: list[Pcm], rate: int = SAMPLE_RATE) -> None:
    for i, pcm in enumerate(parts):
        write_wav(root / voice / line / f"part-{i:02d}.wav", pcm, rate)


def test_recorded_parts_are_joined_with_synthesised_slots(tmp_path: Path) -> None:
    fixed = [
        np.full(800, -7, dtype=np.int16),
        np.full(1600, -8, dtype=np.int16),
        np.full(2400, -9, dtype=np.int16),
    ]
    _library(tmp_path, "cmn", "due.reminder", fixed)
    tts = FakeTts()
    pcm = PromptRenderer(tmp_path, tts).render_prompt(
        "due.reminder", "您好{name}，您本期应还{amount}元。", {"name": "张先生", "amount": "三百五十"}, "cmn"
    )
    assert tts.texts == ["张先生", "三百五十"]
    assert len(pcm) == 800 + 4000 + 1600 + 4000 + 2400
    assert pcm[0] == -7
    assert pcm[800] == 1001
    assert pcm[4800] == -8
    assert pcm[6400] == 1002
    assert pcm[-1] == -9


def test_recordings_at_another_rate_are_resampled(tmp_path: Path) -> None:
    _library(tmp_path, "en-us", "hello", [np.full(16000, 500, dtype=np.int16)], rate=16000)
    pcm = PromptRenderer(tmp_path, FakeTts()).render_prompt("hello", "Hello.", {}, "en-us")
    assert abs(len(pcm) - SAMPLE_RATE) <= 1


def test_missing_recording_falls_back_to_full_tts(tmp_path: Path) -> None:
    _library(tmp_path, "cmn", "due.reminder", [np.zeros(800, dtype=np.int16)])  # part-01/02 missing
    tts = FakeTts()
    pcm = PromptRenderer(tmp_path, tts).render_prompt(
        "due.reminder", "您好{name}，您本期应还{amount}元。", {"name": "张先生", "amount": "三百五十"}, "cmn"
    )
    assert tts.texts == ["您好张先生，您本期应还三百五十元。"]
    assert len(pcm) == 4000


def test_missing_slot_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TtsError, match="needs slots amount"):
        PromptRenderer(tmp_path, FakeTts()).render_prompt("x", "应还{amount}元", {}, "cmn")
