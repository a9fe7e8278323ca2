"""The figures a sentence states (the closed-world rule for LLM answers), in both languages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huikuan.compliance.guard import stated_figures, unexplained_figures


def _values(*numbers: str) -> frozenset[Decimal]:
    return frozenset(Decimal(n).normalize() for n in numbers)


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("您的欠款是3,500.00元", ("3500",)),
        ("应还叁仟伍佰元整", ("3500",)),
        ("先还1千5，剩下的两千五下个月还", ("1500", "2500")),
        ("给您打个八五折吧", ("85",)),
        ("减免百分之三十的利息", ("30",)),
        ("最多可以分成十二期，首期零元", ("12", "0")),
        ("前三个月不用还", ("3",)),
        ("总共3.6万，还款日是2026年3月15日", ("36000", "2026", "3", "15")),
        # numerals that are not quantities
        ("我帮您查一下，您一次性还清也可以，千万别着急，十分抱歉", ()),
        ("会有一位同事和您一起处理", ()),
    ],
)
def test_chinese_figures(text: str, figures: tuple[str, ...]) -> None:
    assert stated_figures(text, "zh-CN") == _values(*figures)


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("Your balance is $3,500.00.", ("3500",)),
        ("You could pay fifty dollars a month for twelve months.", ("50", "12")),
        ("Pay $1.2k now and twelve fifty later.", ("1200", "1250")),
        ("We can take 30% off if you pay by the 15th.", ("30", "15")),
        ("We can do it in one payment.", ("1",)),
        # "one" that is not a quantity
        ("One moment please, no one else will know and someone will call you.", ()),
    ],
)
def test_english_figures(text: str, figures: tuple[str, ...]) -> None:
    assert stated_figures(text, "en-US") == _values(*figures)


def test_only_figures_the_facts_do_not_state_are_unexplained() -> None:
    facts = ["三千五百元", "2026年3月15日", "安心借"]
    assert unexplained_figures("您的欠款是3500元，3月15号到期", "zh-CN", facts) == frozenset()
    assert unexplained_figures("您的欠款是3500元，可以分36期", "zh-CN", facts) == _values("36")
    en_facts = ["$3,500.00", "March 15, 2026"]
    assert unexplained_figures("You owe thirty-five hundred by March 15.", "en-US", en_facts) == frozenset()
    assert unexplained_figures("Settle for $2,000 by March 15.", "en-US", en_facts) == _values("2000")
