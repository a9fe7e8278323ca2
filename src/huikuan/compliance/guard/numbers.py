"""Money amounts, percentages and payment counts as a robot sentence says them (zh-CN, en-US).

The fact checks need the numbers a sentence states and where they stand, not an NLU: the text is
the robot's own, written or generated ("3,500元", "1万2千元", "两千五", "$4,780.25", "$1.5k",
"four thousand seven hundred dollars", and with no unit at all after a money word: "you owe
fourteen hundred", "put down fifty", "a balance of two forty"). Chinese numerals go through
cn2an (a maintained parser that reads 两千五, 1万2千, 伍仟伍佰); English number words are a small
table because no kept library is a dependency here and the words a sentence uses for money are
few. The guard is a leaf (it imports nothing else of huikuan), so the NLU's parsers are not reused.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

_ZH_DIGITS = "零〇一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟"
_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"  # "3,500", "860.5"; a comma between numbers is not a group
_ZH_TOKEN = rf"(?:{_ARABIC}|[{_ZH_DIGITS}])+"  # "1万2千", "两千五", "1千5"
# What may follow a number that is not money: payments, months, days, percent, tenths, people…
_ZH_NOT_MONEY = (
    # "两千五分5期": 分 before a count of payments divides the sum ("split into"), not 分 of 五分
    r"(?![\d.,]*\s*(?:多|余|来)?(?:期|个|月|日|号|天|年|%|折|点|分(?![成为]?[\d一二两三四五六七八九十]+(?:期|个月|次))"
    r"|成|次|笔|岁|人|倍|位|名|家|条|公里|米|小时|分钟|秒|遍|通|多个))"
)
# A number with a money unit after it, or a bare number right after a paying verb ("还4000就行").
_ZH_MONEY = re.compile(
    rf"(?P<num>{_ZH_TOKEN})(?P<more>多)?(?:块钱|块|元|圆|rmb|人民币)"
    # "几百块", "几千": a loose sum, read like "a few hundred"
    r"|(?<![第逾\d])几(?P<few>百|千|万)(?:块钱|块|元)?"
    rf"|(?P<settled>{_ZH_TOKEN})(?=(?:就|即可|便)?(?:能|可以)?结清)"
    rf"|(?:(?<=[还付交欠剩共计掉去])|(?<=[还付交]个)|(?<=欠咱们)|(?<=欠我们)|(?<=欠平台)|(?<=还差)|(?<=首付))"
    rf"(?P<bare>(?:{_ARABIC})?[{_ZH_DIGITS}]*[百千万][{_ZH_DIGITS}\d]*"
    rf"|{_ARABIC}(?![{_ZH_DIGITS}]))(?![{_ZH_DIGITS}\d]){_ZH_NOT_MONEY}"
    # Any numeral with a hundreds, thousands or ten-thousands place is a sum of money in this talk
    # ("还有两千五没还", "1千5", "三千八百"), unless a unit of another kind follows it; read whole, so
    # "一百二十天" is no 一百二 before 十天.
    rf"|(?<![第逾\d{_ZH_DIGITS}])(?P<big>(?:\d+|[一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾])[{_ZH_DIGITS}\d]*"
    rf"[百千万佰仟][{_ZH_DIGITS}\d]*)(?![{_ZH_DIGITS}\d])(?<!百分){_ZH_NOT_MONEY}(?!分之)(?P<more2>多|来|余)?"
)
_ZH_PERCENT = re.compile(rf"(?P<num>\d+(?:\.\d+)?)\s*%|百分之(?P<zh>[{_ZH_DIGITS}\d.]+)")
_ZH_TERMS = re.compile(
    rf"(?<![逾第])(?:分成?|拆成)(?P<a>[{_ZH_DIGITS}\d]{{1,3}})(?:期|个月|次|笔|份)"
    rf"|(?<![逾第前头每\d{_ZH_DIGITS}])(?P<b>[{_ZH_DIGITS}\d]{{1,3}})(?:来|多|几)?期"
    rf"|(?<![逾第前头])(?P<c>[{_ZH_DIGITS}\d]{{1,3}})个月(?:就|能|就能|可以|即可)?(?:还清|还完|分期|慢慢还|来还)"
    rf"|(?:分|用)(?P<y>[{_ZH_DIGITS}\d]{{1,2}}|半)年|(?P<y2>[{_ZH_DIGITS}\d]{{1,2}})年(?:内|之内)?(?:还清|还完|分期|慢慢还)"
)

_EN_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_EN_SCALE = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_EN_WORD = "|".join(sorted([*_EN_SMALL, *_EN_SCALE], key=len, reverse=True))
EN_WORDS = rf"(?:(?:a\s+(?=hundred|thousand))?(?:{_EN_WORD})(?:[\s-]+(?:and\s+)?(?:{_EN_WORD}))*)"
# After these words a number is a sum of money even with no "$" or "dollars" ("you owe fourteen
# hundred", "put down fifty", "a balance of two forty", "settle for 900").
_EN_MONEY_CUE = (
    r"(?:owe|owes|owed|owing|balance|total|due|down|pay|paying|send|settle for|for|at least|as low as|only"
    r"|just|comes to|amounts to|left|of|is|make it|knock|take|shave|off|principal|interest|fees?|shows?"
    r"|sits at|sitting at|are at|is at|looking at|reads|accept|collect|charge|give us|send us|give me|with"
    r"|then|another)"
)
_EN_NOT_MONEY = (
    r"(?!\s*(?:%|percent|grand|months?|payments?|installments?|instalments?|days?|weeks?|years?|times?"
    r"|more|st\b"
    r"|nd\b|rd\b|th\b|o'clock|am\b|pm\b|people|calls?|minutes?|hours?|seconds?|of (?:them|those|these)"
    r"|[/:]\d|[.,]\d))"
)
_EN_MONEY = re.compile(
    rf"\$\s?(?P<num>{_ARABIC})(?P<k>\s?k\b)?"
    rf"|\b(?P<words>{EN_WORDS})\s+(?:dollars?|bucks|(?P<grand>grand))\b"
    rf"|\b(?P<plain>{_ARABIC})\s+(?:dollars?|bucks|(?P<grand2>grand))\b"
    rf"|\b(?P<thousands>{_ARABIC})k\b"
    rf"|\b{_EN_MONEY_CUE} (?:(?:us|me|about|around|roughly|only|just|like|a total of|off|the) ){{0,2}}"
    # a unit-less figure is at most six digits: longer runs are phone, account or reference numbers;
    # a number in words is read whole ("a hundred twenty days" is no "a hundred")
    rf"(?P<bare>{EN_WORDS}|(?:\d{{1,3}}(?:,\d{{3}})+"
    rf"|\d{{1,6}})(?:\.\d+)?(?!\d))\b(?!-)(?![\s-]+(?:and\s+)?(?:{_EN_WORD})\b)(?:\s+even\b)?{_EN_NOT_MONEY}"
    r"|\b(?P<loose>(?:a )?(?:couple|few)(?: of)? (?:hundred|thousand|grand))\b|\b(?P<agrand>a grand)\b"
    # "twenty a month", "three hundred down", "fifteen hundred now": a figure before "a month", "down"
    # or "now" is an amount paid
    rf"|\b(?P<monthly>{EN_WORDS}|\d{{1,5}})(?= (?:a|per|each|every) month\b| monthly\b(?! payments?"
    rf"| installments?| instalments?| plan)| a mo\b| down\b| first\b| up ?front\b| now\b| today\b"
    r"| of (?:the|your) (?:balance|debt|total|loan)\b)"
)
_EN_PERCENT = re.compile(rf"(?P<num>\d+(?:\.\d+)?)\s?(?:%|percent\b)|\b(?P<words>{EN_WORDS})\s+percent\b")
_EN_TERMS = re.compile(
    rf"(?<![$\d.,])(?<!ty[\s-])\b(?P<n>\d{{1,3}}|(?:(?:twenty|thirty|forty|fifty|sixty)[\s-])?(?:{_EN_WORD}))"
    r"(?:[\s-]+(?:more|equal|easy|small|monthly|smaller|separate))*"
    r"[\s-]+(?:monthly\s+)?(?:payments?|installments?|instalments?|months?)\b(?!\s+(?:ago|late|past|overdue"
    r"|behind))"
)
_EN_YEARS = re.compile(
    rf"\b(?:over|across|within|for|in) (?P<n>\d{{1,2}}|an?|{_EN_WORD}) years?(?P<half> and a half)?\b"
    rf"|\b(?P<m>\d{{1,2}}|{_EN_WORD})-year\b"
)
_EN_PAYING = re.compile(r"\b(?:pay\w*|plan|installments?|instalments?|spread|stretch|split|monthly|owe)\b")
# "then three more", "eleven more after that": further payments after the one just named
_EN_MORE = re.compile(
    rf"\b(?:then|and|plus|do|with) (?P<n>\d{{1,2}}|{_EN_WORD}) more\b(?! (?:days?|weeks?|minutes?|hours?"
    rf"|questions?"
    r"|times?|calls?|dollars?|bucks|than|things?|details?|information|percent|years?))"
)
APPROX_ZH = re.compile(r"(?:大概|大约|约|左右|多一点|出头|差不多)")
APPROX_EN = re.compile(r"\b(?:about|around|roughly|approximately|nearly|almost|just over|just under|or so)\b")


@dataclass(frozen=True, slots=True)
class Mention:
    """A number in the sentence: its value, where it is, and whether it was said loosely ("290多")."""

    value: Decimal
    start: int
    end: int
    approx: bool = False


_ZH_RANGE = re.compile(r"([一二两三四五六七八九])([一二两三四五六七八九])([十百千万])")


def zh_value(token: str) -> Decimal | None:
    """A Chinese or Arabic number token ("两千五", "1万2千", "190") by value; None if unreadable."""
    token = token.replace(",", "")
    # "两三百", "三五千": a loose range, read at its top ("三百")
    token = _ZH_RANGE.sub(lambda m: m.group(2) + m.group(3), token)
    try:
        if re.fullmatch(r"\d+(?:\.\d+)?", token):
            return Decimal(token)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Decimal(str(cn2an.cn2an(token, "smart")))
    except (ValueError, InvalidOperation, KeyError, IndexError):
        return None


def count_value(raw: str, lang: str) -> int | None:
    """A count said in digits, Chinese numerals or English number words ("20", "二十", "twenty")."""
    if raw.isdigit():
        return int(raw)
    value = en_words_value(raw) if lang == "en-US" else zh_value(raw)
    return None if value is None else int(value)


def en_words_value(words: str) -> int | None:
    """'four thousand seven hundred' → 4700; None when a word is not a number word."""
    total = current = 0
    after_small = False  # the previous word was a plain number word, not a scale
    for word in re.split(r"[\s-]+", words.strip()):
        if word == "and" or not word:
            continue
        small = word in _EN_SMALL
        if word == "a":  # "a hundred", "a thousand"
            current = max(current, 1)
        elif small and after_small and _EN_SMALL[word] >= 10:
            # "twelve fifty", "two forty", "one fifty": hundreds said without the word
            current = current * 100 + _EN_SMALL[word]
        elif small:
            current += _EN_SMALL[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _EN_SCALE:
            total += max(current, 1) * _EN_SCALE[word]
            current = 0
        else:
            return None
        after_small = small
    return total + current


def money(text: str, lang: str) -> list[Mention]:
    """Every money amount in `text`, in major units (yuan, dollars)."""
    found: list[Mention] = []
    if lang == "en-US":
        for m in _EN_MONEY.finditer(text):
            if m.group("loose"):  # "a couple hundred": read loosely, at its usual size
                scale = 100 if m.group("loose").endswith("hundred") else 1000
                rough = Decimal((3 if "few" in m.group("loose") else 2) * scale)
                found.append(Mention(rough, m.start(), m.end(), True))
                continue
            value: Decimal | None
            start = m.start()
            if m.group("agrand"):
                found.append(Mention(Decimal(1000), start, m.end()))
                continue
            if m.group("monthly"):
                said = m.group("monthly")
                monthly = Decimal(said) if said.isdigit() else Decimal(en_words_value(said) or 0)
                if monthly >= 10:
                    found.append(Mention(monthly, start, m.end()))
                continue
            if m.group("words"):
                value = Decimal(en_words_value(m.group("words")) or 0) or None
                if value is not None and m.group("grand"):  # "two grand"
                    value *= 1000
            elif m.group("thousands"):
                value = Decimal(m.group("thousands").replace(",", "")) * 1000
            elif m.group("bare"):
                start = m.start("bare")
                bare = m.group("bare")
                parsed = en_words_value(bare) if bare[0].isalpha() else None
                value = Decimal(bare.replace(",", "")) if bare[0].isdigit() else Decimal(parsed or 0)
                if value < 10:  # "just one more question", "only two options": not money
                    continue
            else:
                raw = (m.group("num") or m.group("plain")).replace(",", "").rstrip(".")
                value = Decimal(raw) * (1000 if m.group("k") or m.group("grand2") else 1)
            if value is not None:
                said_loosely = bool(APPROX_EN.search(text, max(0, start - 16), start))
                found.append(Mention(value, start, m.end(), said_loosely))
        return found
    for m in _ZH_MONEY.finditer(text):
        if m.group("few"):
            scale = {"百": 100, "千": 1000, "万": 10000}[m.group("few")]
            found.append(Mention(Decimal(3 * scale), m.start(), m.end(), True))
            continue
        value = zh_value(m.group("num") or m.group("bare") or m.group("settled") or m.group("big"))
        if value is None:
            continue
        loose = bool(m.group("more") or m.group("more2")) or bool(
            APPROX_ZH.search(text, max(0, m.start() - 3), m.end() + 4)
        )
        found.append(Mention(value, m.start(), m.end(), loose))
    return found


def percents(text: str, lang: str) -> list[Mention]:
    """Percentages ("30%", "百分之三十", "fifteen percent")."""
    found: list[Mention] = []
    pattern = _EN_PERCENT if lang == "en-US" else _ZH_PERCENT
    for m in pattern.finditer(text):
        if m.group("num"):
            value: Decimal | None = Decimal(m.group("num"))
        elif lang == "en-US":
            words = en_words_value(m.group("words"))
            value = Decimal(words) if words is not None else None
        else:
            value = zh_value(m.group("zh"))
        if value is not None:
            found.append(Mention(value, m.start(), m.end()))
    return found


def is_more(text: str, count: Mention) -> bool:
    """Whether the payment count at `count` is said as further payments ("then three more")."""
    return bool(_EN_MORE.match(text, count.start))


def terms(text: str, lang: str) -> list[Mention]:
    """Counts of payments or months offered ("分36期", "12 monthly payments", "over 36 months")."""
    found: list[Mention] = []
    if lang == "en-US":
        for m in _EN_TERMS.finditer(text):
            word = m.group("n")
            value = int(word) if word.isdigit() else en_words_value(word)
            if value:
                found.append(Mention(Decimal(value), m.start(), m.end()))
        paying = _EN_PAYING.search(text) is not None  # "worked here for five years" is not a plan
        for m in _EN_YEARS.finditer(text) if paying else ():  # "over three years": monthly payments
            word = m.group("n") or m.group("m")
            years = 1 if word in ("a", "an") else int(word) if word.isdigit() else en_words_value(word)
            if years:
                months = years * 12 + (6 if m.group("half") else 0)
                found.append(Mention(Decimal(months), m.start(), m.end()))
        for m in _EN_MORE.finditer(text):  # "then three more": the fact checks add the payment before them
            more = int(m.group("n")) if m.group("n").isdigit() else en_words_value(m.group("n"))
            if more and not any(t.start <= m.start() < t.end for t in found):
                found.append(Mention(Decimal(more), m.start(), m.end()))
        return found
    for m in _ZH_TERMS.finditer(text):
        said_years: str | None = m.group("y") or m.group("y2")
        if said_years:  # "分两年": monthly payments for that long
            count = Decimal(6) if said_years == "半" else (zh_value(said_years) or Decimal(0)) * 12
        else:
            count = zh_value(m.group("a") or m.group("b") or m.group("c")) or Decimal(0)
        if count:
            found.append(Mention(count, m.start(), m.end()))
    return found
