"""The Cantonese voice: numbers said in characters, and syllables a Cantonese dictionary agrees with."""

from __future__ import annotations

import ToJyutping

from huikuan.voice.audio import Pcm, empty
from huikuan.voice.cantonese import cantonese_text, espeak_jyutping, spoken_jyutping
from huikuan.voice.intelligibility import script_lines
from huikuan.voice.tts import MandarinTts


def test_amounts_and_phone_digits_are_written_in_characters_with_cantonese_one() -> None:
    assert cantonese_text("应还3500.50元") == "应还三千五百元五角"
    assert cantonese_text("请致电4008001234") == "请致电四零零八零零一二三四"  # 一, not Mandarin 幺
    assert cantonese_text("尾号1234") == "尾号一二三四"


def test_espeak_mnemonics_become_jyutping() -> None:
    # tone after the nucleus, before -m/-n/-p/-t/-k and after -ng; N is the onset ng; 7 is tone 1
    assert espeak_jyutping("si1ns'aang1_| s,aa7m_| zoe6kg'a1p_| N'o5_| 'ng6_| j'a1m_|") == [
        "sin1",
        "saang1",
        "saam1",
        "zoek6",
        "gap1",
        "ngo5",
        "ng6",
        "jam1",
    ]


def test_the_voice_says_an_amount_as_cantonese_numbers() -> None:
    said = spoken_jyutping("您欠款3500.50元")
    assert said[-7:] == ["saam1", "cin1", "ng5", "baak3", "jyun4", "ng5", "gok3"]


class _Recorder:
    name = "recorder"

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def synthesize(self, text: str, voice: str) -> Pcm:
        self.texts.append((text, voice))
        return empty()


def test_the_chinese_engine_gives_the_yue_voice_normalised_text() -> None:
    inner = _Recorder()
    MandarinTts(inner, pinyin=_Recorder()).synthesize("应还1200元", "yue")
    assert inner.texts == [("应还一千二百元", "yue")]


def test_the_yue_voice_reads_our_scripts_as_an_independent_dictionary_does() -> None:
    # ToJyutping (rime-cantonese) is the independent reference; espeak-ng picks a listed reading
    # for every character but sometimes not the one the context wants (会 wui5/wui6).
    same = total = 0
    for text in dict.fromkeys(line.text for line in script_lines("zh-CN")[:20]):
        expected = [r for _, r in ToJyutping.get_jyutping_list(cantonese_text(text)) if r]
        said = spoken_jyutping(text)
        assert len(said) == len(expected), text
        same += sum(s == e or s == "ng" + e for s, e in zip(said, expected, strict=True))
        total += len(expected)
    assert same / total >= 0.93
