"""Amounts of money in what people say, as minor units (fen / cents).

Which numbers in a turn are money (a unit or a currency word, not a count, an hour, a hotline
or a phone number) is decided here; the value of each numeral comes from `numerals`.
"""

from __future__ import annotations

import re
from decimal import Decimal

from huikuan.dialogue.nlu.numerals import (
    EN_NUMBER_WORDS,
    EN_SCALES,
    ZH_DIGITS,
    ZH_NUMERAL,
    ZH_UNITS,
    hundreds_shorthand,
    parse_number,
    words_to_number,
)

__all__ = ["amount_en", "amount_zh", "words_to_number"]


def _to_minor(value: Decimal | int) -> int | None:
    minor = int(Decimal(value) * 100)
    return minor if 0 < minor < 10**13 else None


_ZH_AMOUNT = re.compile(
    rf"(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?(?:[{ZH_UNITS}][0-9{ZH_DIGITS}]*)*|[{ZH_NUMERAL}]+)"
    r"\s*(块钱|块|元|圆|蚊|万|萬)?"
)
# Counted things and times, not money: "分十二期", "三个月", "一个小时".
_NOT_MONEY_AFTER = (*"期个天号日点次年岁周月倍成分秒遍条笔位", "小时", "分钟", "%")
_HOTLINE = re.compile(r"^(12378|12315|12363|12345|110|120|95\d{3,4})$")


def amount_zh(text: str) -> int | None:
    """The first amount of money in Chinese `text`, in fen; counts, hotlines and phone numbers are skipped."""
    for m in _ZH_AMOUNT.finditer(text):
        token, suffix = m.group(1), m.group(2)
        following = text[m.end() :].lstrip()
        if suffix is None and following.startswith(_NOT_MONEY_AFTER):
            continue
        if suffix in ("万", "萬"):
            token += suffix
        plain = token.replace(",", "")
        has_unit = any(u in token for u in ZH_UNITS) or suffix is not None
        if plain.isdigit() and not has_unit and (len(plain) < 2 or len(plain) >= 7 or _HOTLINE.match(plain)):
            continue
        if not token[0].isdigit() and not has_unit:
            continue
        value = parse_number(token)
        if value:
            return _to_minor(value)
    return None


_WORDS = "|".join(sorted((*EN_NUMBER_WORDS, "and"), key=len, reverse=True))
_EN_WORD_AMOUNT = re.compile(rf"\b(?:{_WORDS})(?:[\s-]+(?:{_WORDS}))*\b")
_EN_DIGIT_AMOUNT = re.compile(r"(\$\s?)?\b(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(k\b)?")
_CURRENCY_AFTER = re.compile(r"^\s*(dollars?|bucks?|usd)\b")
_RATE_AFTER = re.compile(r"^\s*(a|per|each|every)\s+(month|week|paycheck)\b")
_NOT_MONEY_AFTER_EN = re.compile(
    r"^(st|nd|rd|th)\b|^\s*(days?|weeks?|months?|years?|hours?|minutes?|am|pm|o'?clock"
    r"|payments?|installments?|instalments?|times|percent|%|/)"
)
# 'two fifty' is money only where paying is talked about, or as the whole answer to "how much?".
_PAYING_BEFORE = re.compile(r"\b(?:pay|paying|send|sending|do|give|make|put|afford|manage|wire|transfer)\b")
_FILLER = re.compile(r"\b(?:um|uh|uhh|like|maybe|about|around|i|guess|say|how|ok|okay|yeah|so|well|just)\b")
_DATE_BEFORE_EN = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*$|\b(the|in|at|after|until|before)\s*$"
)


def amount_en(text: str) -> int | None:
    """The first amount of money in English `text`, in cents ('$1,200', 'twelve hundred', '50 bucks')."""
    found: list[tuple[int, int]] = []
    for m in _EN_DIGIT_AMOUNT.finditer(text):
        dollar, whole, cents, kilo = m.group(1), m.group(2), m.group(3), m.group(4)
        after, before = text[m.end() :], text[: m.start()]
        money_marked = bool(dollar) or bool(_CURRENCY_AFTER.match(after)) or bool(kilo)
        if not money_marked:
            if _NOT_MONEY_AFTER_EN.match(after) or _DATE_BEFORE_EN.search(before):
                continue
            if len(whole.replace(",", "")) < 2 or len(whole.replace(",", "")) >= 7:
                continue
        value = Decimal(whole.replace(",", "") + (cents or "")) * (1000 if kilo else 1)
        minor = _to_minor(value)
        if minor:
            found.append((m.start(), minor))
    for m in _EN_WORD_AMOUNT.finditer(text):
        words = re.sub(r"([\s-]+(a|and))+$", "", m.group(0))
        if words in ("a", "and"):
            continue
        after = text[m.start() + len(words) :]
        if _NOT_MONEY_AFTER_EN.match(after):
            continue
        number = _word_amount(words, text[: m.start()], after)
        minor = _to_minor(number) if number else None
        if minor:
            found.append((m.start(), minor))
    return min(found)[1] if found else None


def _word_amount(words: str, before: str, after: str) -> int | None:
    """The money a run of number words says, or None when it is not money."""
    marked = bool(_CURRENCY_AFTER.match(after) or _RATE_AFTER.match(after))
    if any(s in words.split() for s in EN_SCALES):
        return words_to_number(words)  # 'fifteen hundred', 'a grand'
    shorthand = hundreds_shorthand(words)
    if shorthand is not None and re.search(r"\bat\s*$", before) is None:
        alone = not _FILLER.sub("", before + " " + after).strip()
        if marked or alone or _PAYING_BEFORE.search(before):
            return shorthand  # 'I can do two fifty', 'one fifty bucks', 'two fifty'
    return words_to_number(words) if marked else None
