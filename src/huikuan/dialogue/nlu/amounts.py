"""Amounts of money in what people say, as minor units (fen / cents).

Hand-written because spoken amounts ('三千五', '一万二', 'twelve hundred') abbreviate in ways
number-parsing libraries do not cover, and no such library is installed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "幺": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "零〇一二两俩三四五六七八九十百千万"


def parse_cn_number(text: str) -> int | None:
    """'三千五' -> 3500, '一万二' -> 12000, '一千零五' -> 1005, '十五' -> 15, '3千' -> 3000."""
    if not text:
        return None
    value = _parse_decimal_with_unit(text)
    if value is not None:
        return int(value)
    total = section = 0
    digit: int | None = None
    last_unit = 0
    after_zero = False
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
            if digit == 0:
                after_zero = True
                digit = None
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            last_unit, digit, after_zero = _CN_UNITS[ch], None, False
        elif ch == "万":
            section += digit or 0
            total += (section or 1) * 10000
            section, digit, last_unit, after_zero = 0, None, 10000, False
        else:
            return None
    if digit is not None:
        # "三千五" and "一万二" abbreviate the next unit down; "一千零五" does not.
        section += digit * (last_unit // 10) if last_unit >= 100 and not after_zero else digit
    return total + section


def _parse_decimal_with_unit(text: str) -> Decimal | None:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([十百千万k]?)", text.replace(",", ""))
    if not m:
        return None
    try:
        number = Decimal(m.group(1))
    except InvalidOperation:
        return None
    unit = {"": 1, "十": 10, "百": 100, "千": 1000, "k": 1000, "万": 10000}[m.group(2)]
    return number * unit


def _to_minor(value: Decimal | int) -> int | None:
    minor = int(Decimal(value) * 100)
    return minor if 0 < minor < 10**13 else None


_ZH_AMOUNT = re.compile(
    rf"(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?[千万]?|[{CN_NUM}]+)\s*(块钱|块|元|圆|蚊|万)?"
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
        if suffix == "万":
            token += "万"
        plain = token.replace(",", "")
        has_unit = any(u in token for u in "十百千万") or suffix is not None
        if plain.isdigit() and not has_unit and (len(plain) < 2 or len(plain) >= 7 or _HOTLINE.match(plain)):
            continue
        if not token[0].isdigit() and not has_unit:
            continue
        value = parse_cn_number(token)
        if value:
            return _to_minor(value)
    return None


_SMALL = {
    "zero": 0,
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000}
_WORDS = "|".join(sorted((*_SMALL, *_SCALES, "and"), key=len, reverse=True))
_EN_WORD_AMOUNT = re.compile(rf"\b(?:{_WORDS})(?:[\s-]+(?:{_WORDS}))*\b")
_EN_DIGIT_AMOUNT = re.compile(r"(\$\s?)?\b(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(k\b)?")
_CURRENCY_AFTER = re.compile(r"^\s*(dollars?|bucks?|usd)\b")
_RATE_AFTER = re.compile(r"^\s*(a|per|each|every)\s+(month|week|paycheck)\b")
_NOT_MONEY_AFTER_EN = re.compile(
    r"^(st|nd|rd|th)\b|^\s*(days?|weeks?|months?|years?|hours?|minutes?|am|pm|o'?clock"
    r"|payments?|installments?|instalments?|times|percent|%|/)"
)
_DATE_BEFORE_EN = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*$|\b(the|in|at|after|until|before)\s*$"
)


def words_to_number(words: str) -> int | None:
    """'twelve hundred' -> 1200, 'two thousand five hundred' -> 2500, 'a thousand' -> 1000."""
    total = current = 0
    seen = False
    for word in re.split(r"[\s-]+", words.strip()):
        if word == "and":
            continue
        if word in _SMALL:
            current += _SMALL[word]
            seen = True
        elif word == "hundred":
            current = max(current, 1) * 100
            seen = True
        elif word in ("thousand", "grand"):
            total += max(current, 1) * 1000
            current = 0
            seen = True
        else:
            return None
    return total + current if seen else None


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
        has_scale = any(s in words.split() for s in _SCALES)
        if not (has_scale or _CURRENCY_AFTER.match(after) or _RATE_AFTER.match(after)):
            continue
        if _NOT_MONEY_AFTER_EN.match(after):
            continue
        number = words_to_number(words)
        minor = _to_minor(number) if number else None
        if minor:
            found.append((m.start(), minor))
    return min(found)[1] if found else None
