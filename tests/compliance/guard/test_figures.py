"""The figures a sentence states (the closed-world rule for LLM answers), in both languages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from huikuan.compliance.guard import Facts, stated_figures, unexplained_figures


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


ACCOUNT = Facts(
    owed=Decimal("3500"),
    due_date=date(2026, 2, 20),
    today=date(2026, 3, 10),
    max_terms=6,
    max_waiver_pct=10,
    min_first_payment=Decimal("300"),
)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh-CN", "最多可以分6期，每期约583.33元，首期不低于300元。"),
        ("zh-CN", "一次性还清最多减免10%，也就是还3150元。"),
        ("zh-CN", "您的账单2月20日到期，已经逾期18天。"),
        ("en-US", "You can split it into up to six payments of about $583, with at least $300 up front."),
        ("en-US", "Paying in full, the most we can take off is 10 percent, so $3,150."),
        ("en-US", "It was due February 20, so it's 18 days overdue."),
    ],
)
def test_the_account_and_its_plan_bounds_explain_their_figures(lang: str, text: str) -> None:
    assert unexplained_figures(text, lang, (), ACCOUNT) == frozenset()


@pytest.mark.parametrize(
    ("lang", "text", "unexplained"),
    [
        ("zh-CN", "最多可以分12期。", "12"),  # more terms than the bounds
        ("zh-CN", "可以给您减18个点。", "18"),  # 18 is the days overdue, not a percentage
        ("zh-CN", "大部分人3步就能在App里还完。", "3"),  # March is a month, not a count
        ("en-US", "We can do 18 payments.", "18"),
        ("en-US", "Most people pay in 3 easy steps.", "3"),
        ("en-US", "Just pay two grand and we're done.", "2000"),
    ],
)
def test_a_figure_is_explained_only_as_what_it_counts(lang: str, text: str, unexplained: str) -> None:
    assert Decimal(unexplained) in unexplained_figures(text, lang, (), ACCOUNT)
