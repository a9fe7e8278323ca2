"""The robot hears Mandarin: faster-whisper (Whisper base) on a debtor's voice over a phone line.

Honest check: the debtor lines (tests/voice/debtor_lines.py) were written before the engine was
first run on them, and are spoken by a voice variant the robot never uses (m3; the robot is f3),
through G.711 μ-law at 8 kHz as a call carries them. Thresholds were set from the first
measurement with the engine's chosen settings (CER 0.45, 14 of 20 intents), with a margin for
thread-count and load noise; docs/voice.md has the figures.
"""

from __future__ import annotations

import asyncio
import os
from datetime import date
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np
import pytest

from huikuan.config import Settings
from huikuan.dialogue.nlu import classify
from huikuan.voice.asr import AsrUnavailable, PocketsphinxAsr, asr_engine, default_engine, engine_name
from huikuan.voice.audio import silence
from huikuan.voice.cpu import SPEECH_NICE
from huikuan.voice.intelligibility import canonical, cer
from huikuan.voice.mandarin import normalise
from huikuan.voice.phrases import hints_for
from huikuan.voice.speech_pool import PooledAsr
from huikuan.voice.tts import EspeakTts, MandarinTts
from huikuan.voice.whisper_asr import WhisperAsr, encoder_window, prompt_for, simplified, whisper_language
from tests.voice.conftest import phone_line
from tests.voice.debtor_lines import EN_DEBTOR_LINES, ZH_DEBTOR_LINES

MAX_MEAN_CER = 0.55  # measured 0.45 (20 lines, beam 5, node hints as the prompt)
MIN_ZH_INTENTS = 12  # measured 14 of 20
TODAY = date(2026, 3, 9)
IDENTITY_INTENTS = {"confirm_identity", "wrong_number"}

slow = pytest.mark.slow


def _node(intent: str) -> str:
    """The node a debtor says this at: identity answers to the identity question, the rest later."""
    return "identity" if intent in IDENTITY_INTENTS else "payment"


@pytest.fixture(scope="module")
def zh_heard(whisper_model: Any, debtor_mandarin: MandarinTts) -> list[tuple[str, str, str]]:
    """(line, meant intent, transcript) for every Mandarin debtor line."""
    asr = WhisperAsr("zh-CN", model=whisper_model)
    out = []
    for text, intent in ZH_DEBTOR_LINES:
        pcm = phone_line(debtor_mandarin.synthesize(text, "cmn"))
        out.append((text, intent, asr.transcribe(pcm, 8000, hints_for("zh-CN", _node(intent)))))
    return out


@slow
def test_mandarin_debtor_lines_are_heard_within_the_measured_error(
    zh_heard: list[tuple[str, str, str]],
) -> None:
    errors = [cer(canonical(normalise(text)), canonical(heard)) for text, _, heard in zh_heard]
    intents = [classify(heard, "zh-CN", TODAY).intent.value for _, _, heard in zh_heard]
    right = sum(got == meant for got, (_, meant, _) in zip(intents, zh_heard, strict=True))
    print(f"zh: {len(zh_heard)} lines, mean CER {mean(errors):.3f}, intents right {right}/{len(zh_heard)}")
    assert mean(errors) <= MAX_MEAN_CER
    assert right >= MIN_ZH_INTENTS
    # lines espeak says clearly are heard exactly, whatever the rest does
    exact = {text for text, _, heard in zh_heard if canonical(heard) == canonical(normalise(text))}
    assert {"你打错了，我不认识这个人", "你是机器人吗"} <= exact


@slow
def test_transcripts_are_simplified_chinese(zh_heard: list[tuple[str, str, str]]) -> None:
    assert all(simplified(heard) == heard for _, _, heard in zh_heard)
    assert any(heard for _, _, heard in zh_heard)


@slow
def test_english_keeps_pocketsphinx_which_hears_the_debtor_better_than_whisper_base(
    whisper_model: Any,
) -> None:
    """The measurement behind `default_engine("en-US")`: intents from each engine's transcripts."""
    tts = EspeakTts(variant="m3")
    engines = {"whisper": WhisperAsr("en-US", model=whisper_model), "pocketsphinx": PocketsphinxAsr()}
    right = dict.fromkeys(engines, 0)
    for text, intent in EN_DEBTOR_LINES:
        pcm = phone_line(tts.synthesize(text, "en-us"))
        for name, engine in engines.items():
            heard = engine.transcribe(pcm, 8000, hints_for("en-US", _node(intent)))
            right[name] += classify(heard, "en-US", TODAY).intent.value == intent
    print(f"en: {len(EN_DEBTOR_LINES)} lines, intents right {right}")
    assert right["pocketsphinx"] >= 7  # measured 8 of 8
    assert right["pocketsphinx"] >= right["whisper"]  # measured whisper 7 of 8
    assert default_engine("en-US") == "pocketsphinx"


@slow
def test_silence_and_empty_audio_give_no_words_in_chinese_characters(whisper_model: Any) -> None:
    asr = WhisperAsr("zh-CN", model=whisper_model)
    assert asr.transcribe(silence(0), 8000, ()) == ""


@slow
def test_the_engine_runs_in_the_speech_pool_with_the_model_loaded_at_warm_up(
    whisper_dir: Path, debtor_mandarin: MandarinTts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUIKUAN_WHISPER_MODEL_DIR", str(whisper_dir))  # the spawned process reads it
    monkeypatch.delenv("HUIKUAN_ASR_ENGINE", raising=False)
    pcm = phone_line(debtor_mandarin.synthesize("你是机器人吗", "cmn"))
    hints = hints_for("zh-CN", "payment")
    pool = PooledAsr(engine_name(Settings(), "zh-CN"), 1, "zh-CN")
    try:
        pool.warm_up()
        (pid,) = pool.pids()
        heard = asyncio.run(pool.transcribe_async(pcm, 8000, hints))
        assert pool.pids() == [pid]  # the same process, its model loaded once
        # decoding yields the CPU to the call loop (voice.cpu): lower priority than this process
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, ours + SPEECH_NICE)
    finally:
        pool.close()
    assert canonical(heard) == "你是机器人吗"


def test_a_pool_with_a_missing_model_folder_says_so_at_warm_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUIKUAN_WHISPER_MODEL_DIR", str(tmp_path / "nowhere"))
    pool = PooledAsr("whisper", 1, "zh-CN")
    try:
        with pytest.raises(AsrUnavailable, match=r"has no model\.bin"):
            pool.warm_up()
    finally:
        pool.close()


def test_a_missing_model_folder_is_one_clear_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, whisper_model_dir=tmp_path / "nowhere")
    with pytest.raises(
        AsrUnavailable, match=r"^whisper: .*nowhere has no model.bin \(set HUIKUAN_WHISPER_MODEL_DIR\)$"
    ):
        asr_engine("whisper", settings, "zh-CN")


def test_chinese_scripts_default_to_whisper_unless_an_engine_is_configured() -> None:
    assert default_engine("zh-CN") == "whisper"
    assert engine_name(Settings(asr_engine=None), "zh-CN") == "whisper"
    assert engine_name(Settings(asr_engine=None), "en-US") == "pocketsphinx"
    assert engine_name(Settings(asr_engine="http"), "zh-CN") == "http"


@pytest.mark.parametrize(
    ("lang", "code"), [("zh-CN", "zh"), ("zh", "zh"), ("cmn", "zh"), ("yue", "yue"), ("en-US", "en")]
)
def test_script_languages_map_to_whisper_codes(lang: str, code: str) -> None:
    assert whisper_language(lang) == code


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="no Whisper language for 'fr-FR'"):
        whisper_language("fr-FR")


@slow
def test_cantonese_falls_back_to_mandarin_on_a_model_without_a_cantonese_token(whisper_model: Any) -> None:
    assert WhisperAsr("yue", model=whisper_model).language == "zh"


def test_node_hints_become_the_prompt() -> None:
    assert prompt_for(("是我", "打错了"), "zh") == "是我，打错了。"
    assert prompt_for(("yes", "no"), "en") == "yes, no"
    assert prompt_for((), "zh") is None
    assert len(prompt_for(hints_for("zh-CN", "payment"), "zh") or "") <= 200


def test_traditional_output_becomes_simplified() -> None:
    assert simplified("你打錯了，我不認識這個人") == "你打错了，我不认识这个人"
    assert simplified("yes") == "yes"


def test_debtor_voice_differs_from_the_robot_voice(debtor_mandarin: MandarinTts) -> None:
    robot = MandarinTts(EspeakTts())
    assert isinstance(robot.pinyin, EspeakTts)
    assert isinstance(debtor_mandarin.pinyin, EspeakTts)
    assert robot.pinyin.variant != debtor_mandarin.pinyin.variant


def test_a_call_gets_the_engine_of_its_script_language(tmp_path: Path) -> None:
    from huikuan.voice.attach import _engines

    settings = Settings(data_dir=tmp_path)
    _, zh = _engines(settings, "zh-CN")
    _, en = _engines(settings, "en-US")
    try:
        assert isinstance(zh, PooledAsr)
        assert (zh.name, zh.lang) == ("whisper", "zh-CN")
        assert isinstance(en, PooledAsr)
        assert (en.name, en.lang) == ("pocketsphinx", "en-US")
        assert _engines(settings, "zh-CN")[1] is zh  # built once, shared by every zh-CN call
    finally:
        zh.close()
        en.close()


def test_chinese_nodes_have_chinese_hints() -> None:
    assert "打错了" in hints_for("zh-CN", "greet", verifies_identity=True)
    assert "分期" in hints_for("zh-CN", "remind")
    assert hints_for("zh-CN", "bye", ends=True) == hints_for("zh-CN", "close")
    assert hints_for("fr-FR", "remind") == ()


@pytest.mark.parametrize(("seconds", "window"), [(0.5, 10), (9.0, 10), (9.5, 20), (19.0, 20), (19.5, None)])
def test_a_turn_is_encoded_in_the_smallest_window_that_leaves_a_second_of_padding(
    seconds: float, window: int | None
) -> None:
    assert encoder_window(seconds) == window


@slow
def test_a_long_turn_goes_through_whispers_own_30_second_path_and_is_heard(
    whisper_model: Any, debtor_mandarin: MandarinTts
) -> None:
    line = "你是机器人吗"  # heard exactly in the short window (the speech-pool test above)
    speech = phone_line(debtor_mandarin.synthesize(line, "cmn"))
    padded = np.concatenate([silence(21_000), speech]).astype(np.int16)  # 21 s of silence first
    assert encoder_window(len(padded) / 8000) is None
    heard = WhisperAsr("zh-CN", model=whisper_model).transcribe(padded, 8000, hints_for("zh-CN", "payment"))
    assert canonical(heard) == line
