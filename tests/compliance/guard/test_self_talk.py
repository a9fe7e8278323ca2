"""Closed-world first person for LLM answers: what an assistant may say of itself, both languages."""

from __future__ import annotations

import pytest

from huikuan.compliance.guard import speaks_as_a_person

PERSON = [
    ("zh-CN", "说实话，我周末也在加班，您的心情我懂。"),
    ("zh-CN", "我上个月刚还完房贷，知道压力有多大。"),
    ("zh-CN", "别急，我下班前一定给您回个电话。"),
    ("zh-CN", "我女儿也在上大学，学费确实不便宜。"),
    ("zh-CN", "这件事我会亲自盯着。"),
    ("en-US", "Honestly, I was broke after college too, so no judgment here."),
    ("en-US", "I just got off my lunch break, so let's sort this out."),
    ("en-US", "I'm a mom of two, I know how tight money gets."),
    ("en-US", "I'll call you back personally before my shift ends."),
    ("en-US", "My eyes are tired but I'm still here for you; I had a long day."),
]
ASSISTANT = [
    ("zh-CN", "我是安心借的智能语音助手，可以帮您查询还款方式。"),
    ("zh-CN", "我理解您的难处，我这边先帮您记录下来。"),
    ("zh-CN", "我不是真人，是AI语音助手；需要的话我可以为您转接人工。"),
    ("zh-CN", "请您告诉我方便的时间，我们再联系您。"),
    ("en-US", "I'm Brightline Lending's virtual assistant; I can connect you with a team member."),
    ("en-US", "I understand, and I've noted that you'd prefer a call next week."),
    ("en-US", "Am I speaking with the account holder? I just have one quick question."),
    ("en-US", "I'm sorry, I didn't catch that. Could you say it again?"),
]


@pytest.mark.parametrize(("lang", "text"), PERSON)
def test_a_life_of_its_own_is_speaking_as_a_person(lang: str, text: str) -> None:
    assert speaks_as_a_person(text, lang)


@pytest.mark.parametrize(("lang", "text"), ASSISTANT)
def test_what_an_assistant_does_is_not(lang: str, text: str) -> None:
    assert not speaks_as_a_person(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh-CN", "青松信用贷后部的刘主管跟您说句实在话，今天必须解决。"),
        ("en-US", "Hi, Kevin here from the recovery team."),
        ("en-US", "You've reached a human representative, not an automated system."),
        ("en-US", "Live agent here, go ahead."),
    ],
)
def test_a_speaker_named_in_the_third_person_is_a_person(lang: str, text: str) -> None:
    assert speaks_as_a_person(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh-CN", "需要的话我可以帮您转接人工客服。"),
        ("en-US", "I can transfer you to a live agent if you like."),
        ("en-US", "I'm here to help with your account."),
    ],
)
def test_offering_a_person_is_not_claiming_to_be_one(lang: str, text: str) -> None:
    assert not speaks_as_a_person(text, lang)
