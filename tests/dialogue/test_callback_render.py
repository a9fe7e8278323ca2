from __future__ import annotations

from datetime import date, time

import pytest

from huikuan.dialogue.callback import parse_time_of_day
from huikuan.dialogue.engine import terms_wanted
from huikuan.dialogue.render import money, plan_text, spoken_date, spoken_time


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("明天下午三点", "zh-CN", time(15)),
        ("晚上8点半", "zh-CN", time(20, 30)),
        ("上午十点一刻", "zh-CN", time(10, 15)),
        ("3点吧", "zh-CN", time(15)),
        ("10:30", "zh-CN", time(10, 30)),
        ("明天上午", "zh-CN", time(10)),
        ("晚点再说", "zh-CN", None),
        ("tomorrow at 3pm", "en-US", time(15)),
        ("at 10:30 am", "en-US", time(10, 30)),
        ("12 pm works", "en-US", time(12)),
        ("this evening", "en-US", time(18)),
        ("I can pay 200 on the 15th", "en-US", None),
    ],
)
def test_time_of_day(text: str, lang: str, expected: time | None) -> None:
    assert parse_time_of_day(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("能不能分24期", "zh-CN", 24),
        ("分六期", "zh-CN", 6),
        ("十二个月", "zh-CN", 12),
        ("分期", "zh-CN", None),
        ("can I pay in 24 months", "en-US", 24),
        ("six monthly payments", "en-US", 6),
        ("a payment plan please", "en-US", None),
    ],
)
def test_terms_wanted(text: str, lang: str, expected: int | None) -> None:
    assert terms_wanted(text, lang) == expected


def test_locale_aware_rendering() -> None:
    assert (money(120_050, "en-US"), money(120_050, "zh-CN")) == ("1,200.50", "1200.50")
    assert money(350_000, "en-US") == "3,500"
    assert (spoken_date(date(2026, 3, 20), "en-US"), spoken_date(date(2026, 3, 20), "zh-CN")) == (
        "March 20",
        "3月20日",
    )
    assert (spoken_time(time(15), "en-US"), spoken_time(time(15), "zh-CN")) == ("3 PM", "下午3点")
    assert spoken_time(time(10, 30), "en-US") == "10:30 AM"
    assert plan_text(3, 100_002, 100_000, 0, "zh-CN") == "分3期，首期1000.02元，之后每月1000元"
    assert (
        plan_text(3, 100_002, 100_000, 0, "en-US")
        == "3 monthly payments: $1,000.02 first, then $1,000 a month"
    )
