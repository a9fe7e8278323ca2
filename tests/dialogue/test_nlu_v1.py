from __future__ import annotations

from datetime import date

import pytest

from huikuan.dialogue.nlu import Intent, classify, parse_cn_number

TUESDAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("text", "value"),
    [("三千五", 3500), ("两千", 2000), ("一万二", 12000), ("一千零五", 1005), ("十五", 15), ("3千", 3000)],
)
def test_chinese_numbers(text: str, value: int) -> None:
    assert parse_cn_number(text) == value


@pytest.mark.parametrize(
    ("text", "amount_fen", "when"),
    [
        ("周五还三千五", 350_000, date(2026, 3, 13)),
        ("两千块，明天还", 200_000, date(2026, 3, 11)),
        ("月底还一万二", 1_200_000, date(2026, 3, 31)),
        ("下周一还3500元", 350_000, date(2026, 3, 16)),
        ("后天还", None, date(2026, 3, 12)),
        ("今天就还两千", 200_000, TUESDAY),
        ("15号还", None, date(2026, 3, 15)),
        ("5号还", None, date(2026, 4, 5)),
    ],
)
def test_promise_entities_resolved_against_reference_date(
    text: str, amount_fen: int | None, when: date
) -> None:
    result = classify(text, "zh-CN", TUESDAY)
    assert result.intent == Intent.PROMISE_TO_PAY
    assert result.entities.amount == amount_fen
    assert result.entities.date == when


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("是我，什么事", Intent.CONFIRM_IDENTITY),
        ("你打错了", Intent.WRONG_NUMBER),
        ("他不在，我是他家人", Intent.THIRD_PARTY),
        ("我已经还过了", Intent.ALREADY_PAID),
        ("最近失业了，手头紧", Intent.HARDSHIP),
        ("能不能分期", Intent.REQUEST_INSTALLMENT),
        ("这笔钱不是我借的", Intent.DISPUTE),
        ("没钱，不还", Intent.REFUSE_TO_PAY),
        ("滚，神经病", Intent.ABUSIVE),
        ("转人工", Intent.REQUEST_HUMAN),
        ("你是机器人吗", Intent.ASK_IF_ROBOT),
        ("我在开车，晚点再说", Intent.CALLBACK_LATER),
        ("别再打了", Intent.STOP_CONTACT),
        ("我要投诉你们", Intent.COMPLAINT),
        ("欠多少？", Intent.ASK_DETAILS),
        ("怎么还款", Intent.ASK_PAYMENT_METHOD),
        ("今天天气不错", Intent.OTHER),
    ],
)
def test_intents(text: str, intent: Intent) -> None:
    assert classify(text, "zh-CN", TUESDAY).intent == intent


def test_weekday_names_are_not_amounts() -> None:
    result = classify("周五还", "zh-CN", TUESDAY)
    assert result.entities.amount is None
    assert result.entities.date == date(2026, 3, 13)


def test_bare_date_answers_when_but_a_date_in_small_talk_does_not() -> None:
    assert classify("周五吧", "zh-CN", TUESDAY).intent == Intent.PROMISE_TO_PAY
    assert classify("两千", "zh-CN", TUESDAY).entities.amount == 200_000
    assert classify("今天天气不错", "zh-CN", TUESDAY).intent == Intent.OTHER
