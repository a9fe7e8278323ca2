"""Payment terms are the script's: an LLM answer speaking of any is refused, in both languages."""

from __future__ import annotations

import pytest

from huikuan.compliance.guard import speaks_of_terms

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
