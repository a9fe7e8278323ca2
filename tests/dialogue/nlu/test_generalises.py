"""How people really talk (issue 13): numbers in every written form, bare acknowledgements,
thanks, forgetting and distress that are never a stop, relatives asking why, requests for a
person. Crafted here, apart from the training sentences and the held-out sets."""

from __future__ import annotations

from datetime import date

import pytest

from huikuan.dialogue.nlu import Intent, classify
from huikuan.dialogue.nlu.amounts import amount_en, amount_zh
from huikuan.dialogue.nlu.numerals import hundreds_shorthand, parse_int

TUESDAY = date(2026, 3, 10)  # a Tuesday: this Friday is the 13th, next week's Friday the 20th
RECORD_CHANGING = {Intent.STOP_CONTACT, Intent.DISPUTE, Intent.WRONG_NUMBER, Intent.ABUSIVE}


@pytest.mark.parametrize(
    ("text", "yuan", "day"),
    [
        ("1千5", 1500, None),
        ("兩千", 2000, None),
        ("我下個禮拜五還兩千", 2000, date(2026, 3, 20)),
        ("下礼拜五还两千五", 2500, date(2026, 3, 20)),
        ("下周五 三千五百块", 3500, date(2026, 3, 20)),
        ("這個禮拜五還五百蚊", 500, date(2026, 3, 13)),
        ("千五蚊 听日俾你", 1500, date(2026, 3, 11)),
        ("兩萬塊", 20000, None),
        ("下個月5號還一千二", 1200, date(2026, 4, 5)),
    ],
)
def test_chinese_promises_read_every_written_form(text: str, yuan: int, day: date | None) -> None:
    result = classify(text, "zh-CN", TUESDAY)
    assert result.intent == Intent.PROMISE_TO_PAY
    assert result.entities.amount == yuan * 100
    assert result.entities.date == day


@pytest.mark.parametrize(
    ("text", "dollars", "day"),
    [
        ("two fifty", 250, None),
        ("i can pay two fifty on friday", 250, date(2026, 3, 13)),
        ("one fifty next friday", 150, date(2026, 3, 20)),
        ("i could send a grand", 1000, None),
        ("fifteen hundred by the end of the month", 1500, date(2026, 3, 31)),
        ("i can do one twenty five", 125, None),
    ],
)
def test_english_promises_read_prices_as_people_say_them(text: str, dollars: int, day: date | None) -> None:
    result = classify(text, "en-US", TUESDAY)
    assert result.intent == Intent.PROMISE_TO_PAY
    assert result.entities.amount == dollars * 100
    assert result.entities.date == day


def test_the_hundreds_shorthand_is_money_only_where_money_is_meant() -> None:
    assert hundreds_shorthand("two fifty") == 250
    assert hundreds_shorthand("nine ninety-nine") == 999
    assert hundreds_shorthand("two people") is None
    assert hundreds_shorthand("fifty two") is None
    assert amount_en("call me at two fifty") is None  # a clock time
    assert amount_en("i have two fifty year old cars") is None
    assert amount_en("two fifty bucks") == 25_000


def test_a_leading_unit_gets_its_one_back_but_idioms_stay_words() -> None:
    assert parse_int("千五") == 1500
    assert parse_int("萬五") == 15000
    assert amount_zh("万一还不上怎么办") is None
    assert amount_zh("千万别再打了") is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("好", "zh-CN"),
        ("好的", "zh-CN"),
        ("嗯嗯", "zh-CN"),
        ("行", "zh-CN"),
        ("可以", "zh-CN"),
        ("对", "zh-CN"),
        ("係呀", "zh-CN"),
        ("yeah", "en-US"),
        ("uh huh", "en-US"),
        ("sure", "en-US"),
        ("ok", "en-US"),
        ("yep okay", "en-US"),
    ],
)
def test_bare_acknowledgements_are_affirm(text: str, lang: str) -> None:
    assert classify(text, lang, TUESDAY).intent == Intent.AFFIRM


@pytest.mark.parametrize(
    ("text", "lang"),
    [("是我", "zh-CN"), ("我就是", "zh-CN"), ("speaking", "en-US"), ("yes this is she", "en-US")],
)
def test_saying_who_one_is_stays_confirm_identity(text: str, lang: str) -> None:
    assert classify(text, lang, TUESDAY).intent == Intent.CONFIRM_IDENTITY


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("唔该", "zh-CN"),
        ("谢谢", "zh-CN"),
        ("哎呀 我给忘了", "zh-CN"),
        ("我压力好大 不知道怎么办", "zh-CN"),
        ("你们烦死了！我说了会还的！", "zh-CN"),
        ("唉 我真的不知道该怎么办了", "zh-CN"),
        ("thanks", "en-US"),
        ("oh shoot, I totally forgot", "en-US"),
        ("I'm so stressed, I don't know what to do", "en-US"),
        ("thank you so much for calling", "en-US"),
        ("ugh it totally slipped my mind", "en-US"),
    ],
)
def test_thanks_forgetting_and_distress_never_change_compliance_records(text: str, lang: str) -> None:
    assert classify(text, lang, TUESDAY).intent not in RECORD_CHANGING


def test_annoyance_with_a_promise_is_a_promise_not_abuse() -> None:
    assert classify("你们烦死了！我说了会还的！", "zh-CN", TUESDAY).intent == Intent.PROMISE_TO_PAY
    assert classify("you people are driving me nuts, i said i'd pay", "en-US", TUESDAY).intent == (
        Intent.PROMISE_TO_PAY
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("你找他有什么事吗", "zh-CN"),
        ("哎不好意思，我是他老婆…他到底欠了你们什么钱？", "zh-CN"),
        ("他在洗澡", "zh-CN"),
        ("actually I'm his wife", "en-US"),
        ("he's in the shower right now", "en-US"),
        ("this is his mom what is this about", "en-US"),
    ],
)
def test_someone_else_on_the_line_is_third_party(text: str, lang: str) -> None:
    assert classify(text, lang, TUESDAY).intent == Intent.THIRD_PARTY


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("他去世了", "zh-CN"),
        ("人已经不在了", "zh-CN"),
        ("he passed away", "en-US"),
        ("my dad died in may", "en-US"),
    ],
)
def test_news_of_a_death_is_debtor_deceased(text: str, lang: str) -> None:
    assert classify(text, lang, TUESDAY).intent == Intent.DEBTOR_DECEASED


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("我要真人", "zh-CN"),
        ("你是机器人吧 我要找真人", "zh-CN"),
        ("talk to a real person", "en-US"),
        ("are you a robot i want a real person", "en-US"),
    ],
)
def test_a_request_for_a_person_is_never_lost(text: str, lang: str) -> None:
    assert classify(text, lang, TUESDAY).intent == Intent.REQUEST_HUMAN
