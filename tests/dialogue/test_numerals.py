"""The one numeral parser (`dialogue.nlu.numerals`) and its users: amounts, callback times, instalments."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.dialogue.callback import parse_time_of_day
from huikuan.dialogue.engine import terms_wanted
from huikuan.dialogue.nlu.amounts import amount_zh
from huikuan.dialogue.nlu.numerals import clock_zh, parse_int, parse_number, words_to_number

ZH_DIGIT = "零一二三四五六七八九"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("两千", 2000),
        ("1千5", 1500),
        ("兩千", 2000),
        ("两千五", 2500),
        ("三千五百", 3500),
        ("一万二", 12000),
        ("一萬二", 12000),
        ("俩千", 2000),
        ("三千五", 3500),
        ("二百五", 250),
        ("一千零五", 1005),
        ("十五", 15),
        ("十", 10),
        ("3千", 3000),
        ("1万5", 15000),
        ("1万2千5", 12500),
        ("1.5万", 15000),
        ("3,500", 3500),
        ("３５００", 3500),
        ("九", 9),
        ("两", 2),
        ("壹仟伍佰", 1500),
        ("貳萬", 20000),
    ],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["千万", "万一", "万", "千", "", "块", "abc", "三点五", "12.5"])
def test_idioms_words_and_fractions_are_not_whole_numbers(text: str) -> None:
    assert parse_int(text) is None


def test_fractions_stay_exact() -> None:
    assert parse_number("800.5") == Decimal("800.5")
    assert parse_number("12.35") == Decimal("12.35")


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("两千", 2000),
        ("1千5", 1500),
        ("兩千", 2000),
        ("两千五", 2500),
        ("三千五百块", 3500),
        ("一万二", 12000),
        ("还1千5吧", 1500),
        ("兩萬块", 20000),
        ("俩千块", 2000),
        ("1万2千5", 12500),
        ("还800.5元", 800.5),
        ("万一还不上先还两千", 2000),
    ],
)
def test_spoken_amounts(text: str, yuan: float) -> None:
    assert amount_zh(text) == round(yuan * 100)


@pytest.mark.parametrize("text", ["千万别再打了", "万一还不上怎么办", "三点半打给我"])
def test_idioms_and_hours_are_not_amounts(text: str) -> None:
    assert amount_zh(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三点半", time(15, 30)),  # a bare hour 1-7 about a call is the afternoon, as before
        ("早上三点半", time(3, 30)),  # the morning said: 03:30 (booking clamps it into the window)
        ("下午三点", time(15)),
        ("九点", time(9)),
        ("九点半", time(9, 30)),
        ("十点一刻", time(10, 15)),
        ("晚上八点三刻", time(20, 45)),
        ("兩點", time(14)),
        ("三点零五", time(15, 5)),
        ("十一点二十分", time(11, 20)),
        ("十二点", time(12)),
        ("10:30", time(10, 30)),
    ],
)
def test_callback_times(text: str, expected: time) -> None:
    assert parse_time_of_day(text, "zh-CN") == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("分二十四期", "zh-CN", 24),
        ("分两期", "zh-CN", 2),
        ("十二个月", "zh-CN", 12),
        ("twelve months", "en-US", 12),
    ],
)
def test_instalment_counts(text: str, lang: str, expected: int) -> None:
    assert terms_wanted(text, lang) == expected


def test_clock_rejects_hours_past_24() -> None:
    assert clock_zh("二十五") is None
    assert clock_zh("九", "七十") == (9, 59)


@given(st.integers(min_value=0, max_value=10**9))
def test_any_written_number_reads_back(n: int) -> None:
    written = cn2an.an2cn(n)
    assert parse_int(written) == n
    assert parse_int(written.replace("万", "萬")) == n
    assert parse_int(str(n)) == n


@given(st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=9))
def test_dropped_last_unit(lead: int, next_digit: int) -> None:
    head, tail = ("两" if lead == 2 else ZH_DIGIT[lead]), ZH_DIGIT[next_digit]
    assert parse_int(f"{head}千{tail}") == lead * 1000 + next_digit * 100
    assert parse_int(f"{lead}千{next_digit}") == lead * 1000 + next_digit * 100
    assert parse_int(f"{head}万{tail}") == lead * 10000 + next_digit * 1000
    assert amount_zh(f"还{head}千{tail}块") == (lead * 1000 + next_digit * 100) * 100


@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_clock_reads_hour_and_minute(hour: int, minute: int) -> None:
    spoken_minute = ("零" + cn2an.an2cn(minute)) if 0 < minute < 10 else cn2an.an2cn(minute)
    assert clock_zh(cn2an.an2cn(hour), spoken_minute + "分") == (hour, minute)
    assert clock_zh(str(hour), f"{minute:02d}") == (hour, minute)


def test_english_words() -> None:
    assert words_to_number("Twelve hundred") == 1200
    assert words_to_number("six") == 6
    assert words_to_number("six apples") is None
