from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from huikuan.voice.audio import SAMPLE_RATE, Pcm
from huikuan.voice.intelligibility import canonical, cer, reference
from huikuan.voice.mandarin import PINYIN_VOICE, digits, mandarin_text, normalise, to_pinyin
from huikuan.voice.tts import CachedTts, EspeakTts, MandarinTts


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("应还3500.50元", "应还三千五百元五角"),
        ("应还3500元", "应还三千五百元"),
        ("3500.05元", "三千五百元零五分"),
        ("3500.55元", "三千五百元五角五分"),
        ("¥2000", "两千元"),
        ("还200块", "还两百块"),
        ("12块5", "十二块五"),
        ("每月580元", "每月五百八十元"),
        ("10000元", "一万元"),
    ],
)
def test_amounts_are_said_in_characters(text: str, said: str) -> None:
    assert normalise(text) == said


def test_dates_times_and_years() -> None:
    assert normalise("到期日是12月1日。") == "到期日是十二月一日。"
    assert normalise("12月3日下午3点") == "十二月三日下午三点"
    assert normalise("2026年12月") == "二零二六年十二月"
    assert normalise("10:30前") == "十点三十分前"
    assert normalise("8:00") == "八点"


def test_percentages() -> None:
    assert normalise("年化利率18%") == "年化利率百分之十八"
    assert normalise("3.5％的费用") == "百分之三点五的费用"


def test_phone_numbers_are_said_digit_by_digit_with_yao() -> None:
    assert normalise("请回电4008001234") == "请回电四零零八零零幺二三四"
    assert normalise("138-0013-8000") == "幺三八零零幺三八零零零"
    assert normalise("尾号0571的卡") == "尾号零五七幺的卡"
    assert digits("2019", one="一") == "二零一九"


def test_plain_numbers_and_text_without_digits_are_kept() -> None:
    assert normalise("分6期") == "分六期"
    assert normalise("您好，请问是王芳本人吗？") == "您好，请问是王芳本人吗？"


@pytest.mark.parametrize(
    ("text", "pinyin"),
    [
        ("还款", "huan2 kuan3"),
        ("请按时还款", "qing3 an4 shi2 huan2 kuan3"),
        ("应还金额", "ying1 huan2 jin1 e2"),
        ("一次还清", "yi1 ci4 huan2 qing1"),
        ("归还", "gui1 huan2"),
        ("还钱", "huan2 qian2"),
        ("先还一部分", "xian1 huan2 yi1 bu4 fen4"),
        ("能还一部分", "neng2 huan2 yi1 bu4 fen4"),
        ("打算还多少钱", "da3 suan4 huan2 duo1 shao3 qian2"),
        ("如长期未还", "ru2 chang2 qi1 wei4 huan2"),
        ("还有", "hai2 you3"),  # still "still"
        ("银行", "yin2 hang2"),
        ("不行", "bu4 xing2"),
        ("可行", "ke3 xing2"),
        ("重新", "chong2 xin1"),
        ("分期", "fen1 qi1"),
        ("欠款", "qian4 kuan3"),
        ("账单", "zhang4 dan1"),
        ("您好吗", "nin2 hao3 ma5"),
    ],
)
def test_polyphones_of_collection_speech(text: str, pinyin: str) -> None:
    assert to_pinyin(text) == pinyin


def test_punctuation_becomes_pauses_and_latin_is_spelled() -> None:
    assert to_pinyin("您好，再见。") == "nin2 hao3 , zai4 jian4 ."
    assert to_pinyin("在App里。") == "zai4 ei1 pi1 pi1 li3 ."
    assert to_pinyin("“我的借款”页面") == "wo3 de5 jie4 kuan3 ye4 mian4"
    assert to_pinyin("绿") == "lv4"  # espeak-ng writes ü as v
    assert mandarin_text("应还3500元。") == "ying1 huan2 san1 qian1 wu3 bai3 yuan2 ."


class Recorder:
    name = "rec"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def synthesize(self, text: str, voice: str) -> Pcm:
        self.calls.append((text, voice))
        return np.zeros(80, dtype=np.int16)


def test_mandarin_engine_sends_pinyin_for_cmn_and_passes_other_voices_through() -> None:
    inner, pinyin = Recorder(), Recorder()
    engine = MandarinTts(inner, pinyin=pinyin)
    engine.synthesize("还款", "cmn")
    engine.synthesize("你好", "yue")
    engine.synthesize("hello", "en-us")
    assert pinyin.calls == [("huan2 kuan3", PINYIN_VOICE)]
    assert inner.calls == [("你好", "yue"), ("hello", "en-us")]
    assert engine.name != inner.name  # a new cache key: old `cmn` renderings are not reused


def test_cache_keys_of_the_new_mandarin_voice_differ_from_plain_espeak(tmp_path: Path) -> None:
    plain = CachedTts(EspeakTts(), tmp_path)
    mandarin = CachedTts(MandarinTts(EspeakTts()), tmp_path)
    assert plain.path_for("您好", "cmn") != mandarin.path_for("您好", "cmn")


def test_the_pinyin_voice_renders_phone_audio() -> None:
    pcm = MandarinTts(EspeakTts()).synthesize("您好，应还3500元。", "cmn")
    assert pcm.dtype == np.int16
    assert 1.0 < len(pcm) / SAMPLE_RATE < 10.0
    assert int(np.abs(pcm.astype(np.int32)).max()) < 32767  # not clipped (clipping garbles it)


def test_cer_and_canonical_forms() -> None:
    assert cer("三千五百", "三千五百") == 0.0
    assert cer("三千五百", "三千五") == 0.25
    assert cer("您好", "您好吗") == 0.5
    assert canonical("應還3500元，請回電4008001234。") == "应还三千五百元请回电四零零八零零一二三四"
    assert reference("应还3500元，回电4008001234") == canonical("应还三千五百元回电四零零八零零幺二三四")
