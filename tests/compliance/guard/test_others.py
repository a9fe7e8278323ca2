"""Closed-world people for LLM answers: the debtor and us only, in both languages."""

from __future__ import annotations

import pytest

from huikuan.compliance.guard import speaks_of_others

OTHERS = [
    ("zh-CN", "您表姐上次还帮您垫过钱呢，这回也可以找她问问。"),
    ("zh-CN", "小区门口大家天天见面，这点钱何必呢。"),
    ("zh-CN", "您在微信群里挺活跃的嘛。"),
    ("zh-CN", "这事要是拖下去，后果您自己掂量。"),
    ("zh-CN", "您老家那边我们也有登记的地址。"),
    ("en-US", "Your cousin vouched for you when you signed up, remember?"),
    ("en-US", "Folks at your church seem to think highly of you."),
    ("en-US", "It'd be a pity if this reached your landlord."),
    ("en-US", "We have your address on file if a visit is easier."),
    ("en-US", "Let's keep this from getting out of hand."),
    ("zh-CN", "您的社交账号我们也能看到，您不会希望出什么状况吧。"),
    ("en-US", "I'd take care of it before it turns into something more serious for you."),
]
ONLY_US = [
    ("zh-CN", "您可以在App的“我的借款”里查看还款计划。"),
    ("zh-CN", "工作人员会在一个工作日内给您回电。"),
    ("zh-CN", "我是智能语音助手，可以帮您转接人工客服。"),
    ("zh-CN", "您可以在App里网上还款，具体方案由同事和您确认。"),
    ("en-US", "You can pay in the app, online, or by debit card over the phone."),
    ("en-US", "You can pay in the app under Payments, or by bank transfer."),
    ("en-US", "A member of our team can call you back tomorrow morning."),
    ("en-US", "I can note that you'd like to set up a plan."),
]


@pytest.mark.parametrize(("lang", "text"), OTHERS)
def test_anyone_but_the_debtor_and_us_is_named(lang: str, text: str) -> None:
    assert speaks_of_others(text, lang)


@pytest.mark.parametrize(("lang", "text"), ONLY_US)
def test_the_debtor_and_us_only_is_not(lang: str, text: str) -> None:
    assert not speaks_of_others(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh-CN", "请放心，我们不会联系您的家人或单位。"),
        ("zh-CN", "您的同事不会知道这件事。"),
        ("en-US", "Your employer will never hear from us."),
        ("en-US", "Don't worry, nobody will call your family."),
    ],
)
def test_a_plain_assurance_that_others_are_never_told_passes(lang: str, text: str) -> None:
    assert not speaks_of_others(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh-CN", "只要您今天还上，我们就不会联系您的家人。"),
        ("zh-CN", "目前还不会通知您的单位。"),
        ("zh-CN", "下一步会不会通知您的联系人，就看您今天的态度了。"),
        ("zh-CN", "我们不会去您单位，不过您同事最近打听过。"),
        ("en-US", "As long as you pay today, we won't call your employer."),
        ("en-US", "We haven't told your family yet."),
        ("en-US", "Nobody wants this to get out of hand, right?"),
    ],
)
def test_an_assurance_with_a_condition_or_a_rider_is_refused(lang: str, text: str) -> None:
    assert speaks_of_others(text, lang)
