"""Amounts (minor units) and dates resolved against a reference date, in both languages."""

from __future__ import annotations

from datetime import date

import pytest

from huikuan.dialogue.nlu import classify, parse_cn_number
from huikuan.dialogue.nlu.amounts import amount_en, amount_zh, words_to_number

TUESDAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("三千五", 3500),
        ("一万二", 12000),
        ("两千块", 2000),
        ("五百", 500),
        ("1.5万", 15000),
        ("两万五", 25000),
        ("一百五十块钱", 150),
        ("3千", 3000),
        ("还800元", 800),
        ("一千零五十", 1050),
    ],
)
def test_chinese_amounts(text: str, yuan: int) -> None:
    assert amount_zh(text) == yuan * 100


@pytest.mark.parametrize(
    "text", ["分十二期", "三个月", "我打12378投诉", "一分钱都没有", "等一下", "我手机13812345678", "第2次"]
)
def test_counts_hotlines_and_phone_numbers_are_not_amounts(text: str) -> None:
    assert amount_zh(text) is None


@pytest.mark.parametrize(
    ("text", "dollars"),
    [
        ("$1,200", 1200),
        ("twelve hundred", 1200),
        ("i can do $300 tomorrow", 300),
        ("a thousand dollars", 1000),
        ("two thousand five hundred", 2500),
        ("fifty a month", 50),
        ("250 bucks", 250),
        ("$1.5k", 1500),
    ],
)
def test_english_amounts(text: str, dollars: int) -> None:
    assert amount_en(text) == dollars * 100


def test_cents_are_kept() -> None:
    assert amount_en("$12.50") == 1250


@pytest.mark.parametrize(
    "text", ["call back after five", "three payments", "on the 15th", "in 2 days", "march 3rd", "six months"]
)
def test_english_non_amounts(text: str) -> None:
    assert amount_en(text) is None


def test_number_words() -> None:
    assert words_to_number("one thousand two hundred and fifty") == 1250
    assert parse_cn_number("一千零五") == 1005


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("明天还", date(2026, 3, 11)),
        ("后天还", date(2026, 3, 12)),
        ("大后天还", date(2026, 3, 13)),
        ("周五还", date(2026, 3, 13)),
        ("星期五还", date(2026, 3, 13)),
        ("礼拜五还", date(2026, 3, 13)),
        ("下周一还", date(2026, 3, 16)),
        ("月底还", date(2026, 3, 31)),
        ("下个月5号还", date(2026, 4, 5)),
        ("15号还", date(2026, 3, 15)),
        ("3月20日还", date(2026, 3, 20)),
        ("5号还", date(2026, 4, 5)),  # the 5th is past: next month's
        ("我听日还", date(2026, 3, 11)),
        ("下个月底还", date(2026, 4, 30)),
        ("二十号还", date(2026, 3, 20)),
    ],
)
def test_chinese_dates(text: str, when: date) -> None:
    assert classify(text, "zh-CN", TUESDAY).entities.date == when


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("i'll pay tomorrow", date(2026, 3, 11)),
        ("i'll pay next friday", date(2026, 3, 20)),  # the Friday of next week
        ("i'll pay friday", date(2026, 3, 13)),
        ("i'll pay on the 15th", date(2026, 3, 15)),
        ("i'll pay by the end of the month", date(2026, 3, 31)),
        ("i'll pay on march 3rd", date(2027, 3, 3)),  # past this year: next year's
        ("i'll pay on april 2nd", date(2026, 4, 2)),
        ("the day after tomorrow", date(2026, 3, 12)),
        ("the 5th of next month", date(2026, 4, 5)),
        ("i paid last friday", date(2026, 3, 6)),
        ("in 3 days", date(2026, 3, 13)),
    ],
)
def test_english_dates(text: str, when: date) -> None:
    assert classify(text, "en-US", TUESDAY).entities.date == when


@pytest.mark.parametrize(
    ("text", "lang", "amount", "when"),
    [
        ("周五还三千五", "zh-CN", 350_000, date(2026, 3, 13)),
        ("一万二我下个月5号还", "zh-CN", 1_200_000, date(2026, 4, 5)),
        ("i'll send twelve hundred next friday", "en-US", 120_000, date(2026, 3, 20)),
        ("i can pay $1,200 on the 15th", "en-US", 120_000, date(2026, 3, 15)),
    ],
)
def test_amount_and_date_together(text: str, lang: str, amount: int, when: date) -> None:
    entities = classify(text, lang, TUESDAY).entities
    assert (entities.amount, entities.date) == (amount, when)


def test_a_weekday_is_not_an_amount_and_small_talk_has_no_entities() -> None:
    assert classify("周五还", "zh-CN", TUESDAY).entities.amount is None
    entities = classify("the weather is nice", "en-US", TUESDAY).entities
    assert entities.amount is None
    assert entities.date is None
