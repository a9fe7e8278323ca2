"""Bad input never crashes classify: empty, huge, mixed scripts, emoji, control characters."""

from __future__ import annotations

from datetime import date

import pytest

from huikuan.dialogue.nlu import Intent, classify

TUESDAY = date(2026, 3, 10)


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
@pytest.mark.parametrize("text", ["", "   ", "\t", "😀😀😀", "？？！！", "\x00\x01\x1b\x7f", "\ufffd\ufffd"])
def test_nothing_said_is_other(text: str, lang: str) -> None:
    result = classify(text, lang, TUESDAY)
    assert result.intent == Intent.OTHER
    assert result.entities.amount is None
    assert result.entities.date is None


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_a_100_kb_line_is_classified(lang: str) -> None:
    result = classify("我明天还三千五 " * 10_000, lang, TUESDAY)
    assert result.intent == Intent.PROMISE_TO_PAY
    assert result.entities.amount == 350_000


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("我明天还 ok", "zh-CN", Intent.PROMISE_TO_PAY),
        ("you 是 robot 吗", "zh-CN", Intent.ASK_IF_ROBOT),
        ("stop calling me", "zh-CN", Intent.STOP_CONTACT),  # English said on a Chinese line
        ("别再打了", "en-US", Intent.STOP_CONTACT),  # and the other way round
        ("滚😡😡", "zh-CN", Intent.ABUSIVE),
        ("我\x00明天\x07还\r", "zh-CN", Intent.PROMISE_TO_PAY),
        ("ＳＴＯＰ ＣＡＬＬＩＮＧ ＭＥ", "en-US", Intent.STOP_CONTACT),  # full-width
        ("我已经还了。。。！！！", "zh-CN", Intent.ALREADY_PAID),
    ],
)
def test_mixed_scripts_emoji_and_control_characters(text: str, lang: str, intent: Intent) -> None:
    assert classify(text, lang, TUESDAY).intent == intent


def test_unknown_language_tag_falls_back_by_script() -> None:
    assert classify("stop calling", "en", TUESDAY).intent == Intent.STOP_CONTACT
    assert classify("别再打了", "yue-HK", TUESDAY).intent == Intent.STOP_CONTACT


def test_huge_numbers_and_impossible_dates_are_no_entities() -> None:
    entities = classify("还" + "9" * 400 + "元 2月30号 13月5号", "zh-CN", TUESDAY).entities
    assert entities.amount is None
    assert entities.date is None
