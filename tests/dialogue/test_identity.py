"""Right-party verification (`dialogue.identity`): names heard and compared, third-person talk,
the knowledge check's answers, in zh-CN and en-US."""

from __future__ import annotations

import pytest

from huikuan.dialogue.identity import (
    KnowledgeCheck,
    NameMatch,
    compare_name,
    heard_name,
    knowledge_matches,
    says_deceased,
    spoken_digits,
    third_person,
)

ZH_DEBTOR = "张三"
EN_DEBTOR = "Robert Morgan"


def zh_match(text: str) -> NameMatch | None:
    heard = heard_name(text, "zh-CN", ZH_DEBTOR)
    return None if heard is None else compare_name(heard, ZH_DEBTOR, "zh-CN")


def en_match(text: str) -> NameMatch | None:
    heard = heard_name(text, "en-US")
    return None if heard is None else compare_name(heard, EN_DEBTOR, "en-US")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我是张三", NameMatch.SAME),
        ("对，我就是张三啊", NameMatch.SAME),
        ("我是章三", NameMatch.SAME),  # an ASR homophone: same toneless pinyin
        ("我叫张三", NameMatch.SAME),
        ("我是李四", NameMatch.OTHER),
        ("我是王芳本人", NameMatch.OTHER),
        ("我姓王", NameMatch.OTHER),
        ("我姓张", NameMatch.SURNAME),
        ("是张先生", NameMatch.SURNAME),
        ("我是张女士", NameMatch.SURNAME),
        ("我是老张", NameMatch.SURNAME),
        ("对，我是小张", NameMatch.SURNAME),
        ("我是王先生", NameMatch.OTHER),
        ("我是本人", None),
        ("我是来还钱的", None),
        ("我是安心借的用户", None),
        ("对对对是我", None),
        ("嗯", None),
    ],
)
def test_chinese_names_heard_and_compared(text: str, expected: NameMatch | None) -> None:
    assert zh_match(text) == expected


def test_a_compound_and_a_polyphonic_surname() -> None:
    heard = heard_name("我是欧阳娜娜", "zh-CN", "欧阳娜娜")
    assert heard is not None
    assert heard.surname == "欧阳"
    assert compare_name(heard, "欧阳娜娜", "zh-CN") == NameMatch.SAME
    # 曾 is read zeng or ceng: any reading matches
    heard = heard_name("我是曾力", "zh-CN", "曾力")
    assert heard is not None
    assert compare_name(heard, "曾力", "zh-CN") == NameMatch.SAME


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is Robert.", NameMatch.SAME),
        ("yes this is bob", NameMatch.SAME),  # a nickname, lower-cased by the ASR
        ("Hi, it's Rob Morgan", NameMatch.SAME),
        ("Bobby speaking", NameMatch.SAME),
        ("This is Jordan.", NameMatch.OTHER),
        ("No, this is Sam", NameMatch.OTHER),
        ("It's Robert Smith", NameMatch.OTHER),
        ("This is Mr. Morgan", NameMatch.SURNAME),
        ("this is Ms. Lee", NameMatch.OTHER),
        ("Morgan here", NameMatch.SURNAME),
        ("I'm fine", None),
        ("this is a wrong number", None),
        ("I'm not interested", None),
        ("yeah", None),
    ],
)
def test_english_names_heard_and_compared(text: str, expected: NameMatch | None) -> None:
    assert en_match(text) == expected


def test_english_nicknames_both_ways() -> None:
    for heard, debtor in [("Liz", "Elizabeth Park"), ("Mike", "Michael Chen"), ("Elizabeth", "Liz Park")]:
        name = heard_name(f"This is {heard}", "en-US")
        assert name is not None
        assert compare_name(name, debtor, "en-US") == NameMatch.SAME


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("哎不好意思，我是他老婆…他到底欠了你们什么钱？", "zh-CN", True),
        ("他在洗澡", "zh-CN", True),
        ("你找他有什么事吗", "zh-CN", True),
        ("她不在家", "zh-CN", True),
        ("我帮他转告吧", "zh-CN", True),
        ("他们说我逾期了", "zh-CN", False),
        ("我是张三的老婆", "zh-CN", True),
        ("我的老婆会帮我还", "zh-CN", False),
        ("This is Alex's wife", "en-US", True),
        ("我明天还", "zh-CN", False),
        ("actually I'm his wife", "en-US", True),
        ("she's not home right now", "en-US", True),
        ("Can I take a message?", "en-US", True),
        ("what does he owe you", "en-US", True),
        ("I'll pay on Friday", "en-US", False),
        ("yes that's me", "en-US", False),
    ],
)
def test_the_debtor_spoken_of_in_the_third_person(text: str, lang: str, expected: bool) -> None:
    assert third_person(text, lang) is expected


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("1234", "1234"),
        ("一二三四", "1234"),
        ("幺两三四", "1234"),
        ("最后四位是一二三四", "1234"),
        ("尾号洞洞拐勾", "0079"),
        ("twelve thirty four", "1234"),
        ("one two three four", "1234"),
        ("nineteen eighty-five", "1985"),
        ("一九八五年", "1985"),
        ("八五年", "85"),
        ("三十四", "34"),
        ("four five six x", "456X"),
        ("四五六叉", "456X"),
        ("the last four digits are 0 0 7 9", "0079"),
    ],
)
def test_digits_heard_as_words(text: str, digits: str) -> None:
    assert spoken_digits(text) == digits


@pytest.mark.parametrize(
    ("kind", "text", "expected", "lang", "result"),
    [
        (KnowledgeCheck.ID_LAST4, "一二三四", "110101199003071234", "zh-CN", True),
        (KnowledgeCheck.ID_LAST4, "幺二三四", "110101199003071234", "zh-CN", True),
        (KnowledgeCheck.ID_LAST4, "四三二一", "110101199003071234", "zh-CN", False),
        (KnowledgeCheck.ID_LAST4, "不记得了", "110101199003071234", "zh-CN", None),
        (KnowledgeCheck.ID_LAST4, "五六七叉", "11010119900307567X", "zh-CN", True),
        (KnowledgeCheck.ID_LAST4, "twelve thirty four", "1234", "en-US", True),
        (KnowledgeCheck.ID_LAST4, "one two three five", "1234", "en-US", False),
        (KnowledgeCheck.BIRTH_YEAR, "一九九零年", "1990", "zh-CN", True),
        (KnowledgeCheck.BIRTH_YEAR, "九零年的", "1990", "zh-CN", True),
        (KnowledgeCheck.BIRTH_YEAR, "八五年", "1990", "zh-CN", False),
        (KnowledgeCheck.BIRTH_YEAR, "nineteen ninety", "1990", "en-US", True),
        (KnowledgeCheck.BIRTH_YEAR, "I was born in 1985", "1990", "en-US", False),
        (KnowledgeCheck.BIRTH_YEAR, "why do you ask", "1990", "en-US", None),
        (KnowledgeCheck.PRODUCT, "我用的是安心借", "安心借", "zh-CN", True),
        (KnowledgeCheck.PRODUCT, "按心借吧", "安心借", "zh-CN", True),  # an ASR homophone
        (KnowledgeCheck.PRODUCT, "好像是花呗", "安心借", "zh-CN", False),
        (KnowledgeCheck.PRODUCT, "the Northgate card", "Northgate", "en-US", True),
        (KnowledgeCheck.PRODUCT, "no idea", "Northgate", "en-US", False),
    ],
)
def test_knowledge_answers(
    kind: KnowledgeCheck, text: str, expected: str, lang: str, result: bool | None
) -> None:
    assert knowledge_matches(kind, text, expected, lang) is result


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("他已经去世了", "zh-CN", True),
        ("他去年走了，人已经不在了", "zh-CN", True),
        ("她过世两年了", "zh-CN", True),
        ("我爸去世了，最近手头很紧", "zh-CN", False),  # the debtor's own bereavement: hardship
        ("他们走了", "zh-CN", False),
        ("he passed away last year", "en-US", True),
        ("She died in March.", "en-US", True),
        ("my dad died and money is tight", "en-US", False),
    ],
)
def test_the_debtors_death_in_the_third_person(text: str, lang: str, expected: bool) -> None:
    assert says_deceased(text, lang) is expected


@pytest.mark.parametrize(
    ("text", "lang", "strict_heard"),
    [
        ("我叫李四", "zh-CN", True),
        ("不是，我是李四", "zh-CN", True),
        ("我姓王", "zh-CN", True),
        ("我是程序员", "zh-CN", False),
        ("我是方便的", "zh-CN", False),
        ("我是老张", "zh-CN", False),
        ("No, this is Sam", "en-US", True),
        ("My name is Sam", "en-US", True),
        ("I'm Sam", "en-US", False),
        ("It's Friday", "en-US", False),
    ],
)
def test_outside_the_name_question_only_an_unmistakable_introduction(
    text: str, lang: str, strict_heard: bool
) -> None:
    assert (heard_name(text, lang, ZH_DEBTOR, strict=True) is not None) is strict_heard


def test_days_and_months_are_not_names() -> None:
    assert heard_name("It's Friday", "en-US") is None
    assert heard_name("this is May fifth", "en-US") is None


def test_warm_up_loads_the_nickname_table_before_a_call() -> None:
    from huikuan.dialogue import identity

    identity._nicknames.cache_clear()
    identity.warm_up("en-US")
    assert identity._nicknames.cache_info().currsize == 1
