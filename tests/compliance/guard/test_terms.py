"""Payment terms for LLM answers: only what the plan bounds grant, in both languages."""

from __future__ import annotations

import pytest

from huikuan.compliance.guard import Facts, speaks_of_terms

PLANS_AND_WAIVERS = Facts(max_terms=12, max_waiver_pct=10)
NEITHER = Facts(max_terms=1, max_waiver_pct=0)

TERMS = [
    ("zh-CN", "这个月手头紧的话，先不还也行，等您缓过来。"),
    ("zh-CN", "罚息这块我们可以给您免掉。"),
    ("zh-CN", "您发了工资再还就可以。"),
    ("zh-CN", "拆成几期慢慢还，压力就小了。"),
    ("en-US", "Don't sweat the late fees, we can forget about them."),
    ("en-US", "Pay what you can now and the rest later."),
    ("en-US", "We could probably settle this for less if you call us."),
    ("en-US", "Nothing is due until your next payday."),
]
NO_TERMS = [
    ("zh-CN", "您可以在App首页点“立即还款”完成还款。", ""),
    ("zh-CN", "您好，云朵分期智能语音助手为您服务。", "云朵分期"),
    ("en-US", "You can pay from the app by tapping Pay Now on the home screen.", ""),
    ("en-US", "This is the Lumen Pay Later virtual assistant.", "Lumen Pay Later"),
]


@pytest.mark.parametrize(("lang", "text"), TERMS)
def test_terms_of_its_own_are_refused(lang: str, text: str) -> None:
    assert speaks_of_terms(text, lang)


@pytest.mark.parametrize(("lang", "text", "creditor"), NO_TERMS)
def test_how_to_pay_and_the_creditors_name_are_not_terms(lang: str, text: str, creditor: str) -> None:
    assert not speaks_of_terms(text, lang, (creditor,))


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh-CN", "可以分期还，最多12期。"),
        ("zh-CN", "一次性还清的话可以申请减免一部分。"),
        ("en-US", "You could split it into monthly installments."),
        ("en-US", "A small discount is possible if you pay in full."),
    ],
)
def test_plans_and_waivers_the_bounds_grant_may_be_spoken_of(lang: str, text: str) -> None:
    assert not speaks_of_terms(text, lang, bounds=PLANS_AND_WAIVERS)
    assert speaks_of_terms(text, lang, bounds=NEITHER)


@pytest.mark.parametrize(("lang", "text"), [TERMS[i] for i in (0, 2, 5, 7)])
def test_what_no_bounds_grant_is_refused_whatever_the_bounds(lang: str, text: str) -> None:
    assert speaks_of_terms(text, lang, bounds=PLANS_AND_WAIVERS)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh-CN", "这笔账单目前不支持分期，也不支持减免。"),
        ("zh-CN", "您可以在App里提交延期申请，由工作人员审核。"),
        ("en-US", "I'm sorry, this account isn't eligible for a discount."),
        ("en-US", "You can request an extension in the app; it's subject to review."),
    ],
)
def test_a_refused_term_or_one_people_review_is_not_offered(lang: str, text: str) -> None:
    assert not speaks_of_terms(text, lang, bounds=NEITHER)
